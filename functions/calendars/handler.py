"""Official working-day arrangements (节假日安排) for years the calendar package does not cover yet."""
from sheqi.edge import api
from sheqi.reminders import calendars, obligations

app = api.create_app()


@app.put("/calendars/<year>")
def load_year(year: str):
    number = api.year(year)
    record = calendars.load_year(api.identity(app), number, api.body(app, calendars.ArrangementIn))
    obligations.recompute_year(number)   # deadlines counted provisionally into that year, counted again
    return api.json_response(calendars.view(record))


@app.get("/calendars/<year>")
def get_year(year: str):
    api.identity(app)   # any signed-in role
    return api.json_response(calendars.view(calendars.get_year(api.year(year))))


handler = api.lambda_handler(app)
