"""Official working-day arrangements (节假日安排) for years the calendar package does not cover yet."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.reminders import calendars, obligations

app = api.create_app()


@app.put("/calendars/<year>", roles=("platform_admin",))
def load_year(caller: Identity, year: str, body: calendars.ArrangementIn):
    """录入某年度的官方节假日安排（调休上班日与放假日）"""
    number = api.year(year)
    record = calendars.load_year(caller, number, body)
    obligations.recompute_year(number)  # deadlines counted provisionally into that year, counted again
    return calendars.view(record)


@app.get("/calendars/<year>")
def get_year(caller: Identity, year: str):
    """查看某年度的节假日安排（任何已登录角色）"""
    return calendars.view(calendars.get_year(api.year(year)))


handler = api.lambda_handler(app)
