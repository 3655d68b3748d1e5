"""bounceback: turn rejection emails into a plan."""
