"""One router per view of the review page; ``app.create_app`` includes them."""
