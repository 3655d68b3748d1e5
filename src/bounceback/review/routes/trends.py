"""The trends page: feedback gaps per week and category, and the skills named most."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from bounceback.review.chart import weekly_chart
from bounceback.review.pages import ReviewDep
from bounceback.storage import review as store

router = APIRouter()
RANGES = (13, 26, 52)


@router.get("/trends", response_class=HTMLResponse)
async def trends(review: ReviewDep, weeks: int = 52) -> HTMLResponse:
    """Gaps over time, starting at the first week with data (at most ``weeks`` back)."""
    weeks = min(max(weeks, 4), 104)

    def read() -> HTMLResponse:
        with review.sessions.begin() as session:
            points = store.gap_weeks(session=session)
        chart = weekly_chart([(when, category) for when, category, _ in points], weeks=weeks)
        skills = Counter(skill for _, _, skill in points if skill).most_common(10)
        return review.render(
            "trends.html.j2",
            title="Gaps over time · bounceback",
            chart=chart,
            skills=skills,
            total=len(points),
            weeks=weeks,
            ranges=RANGES,
        )

    return await run_in_threadpool(read)
