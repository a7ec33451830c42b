"""The bound for one hop: a bare FastAPI route that answers GET /info/ without asking anyone."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/info/")
async def get_info() -> dict[str, str]:
    return {"info": "The answer is 42."}
