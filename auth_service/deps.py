"""What the routes depend on, as `Annotated` aliases: each reads what the lifespan opened
(`main.State`) from `request.state`."""

from typing import Annotated

from fastapi import Depends, Request

from auth_service.tokens import TokenBook


async def get_token_book(request: Request) -> TokenBook:
    book: TokenBook = request.state.token_book
    return book


Tokens = Annotated[TokenBook, Depends(get_token_book)]
