# expect: none
import logging
import uuid
from datetime import datetime

from fastapi import FastAPI, HTTPException, Request
from starlette.middleware.sessions import SessionMiddleware

from shop.carts import cart_belongs_to
from shop.settings import SESSION_SECRET

log = logging.getLogger(__name__)
app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key=SESSION_SECRET, https_only=True)


@app.post("/carts/{cart_id}/activate")
async def activate_cart(cart_id: str, request: Request):
    user_id = request.session.get("user_id")
    if user_id is None:
        raise HTTPException(status_code=401)
    try:
        parsed = uuid.UUID(cart_id)
    except ValueError:
        raise HTTPException(status_code=400, detail="malformed cart id")
    if not await cart_belongs_to(parsed, user_id):
        raise HTTPException(status_code=404, detail="no such cart")
    request.session["active_cart"] = str(parsed)
    return {"active_cart": str(parsed)}


@app.post("/orders/filter")
async def remember_order_filter(request: Request):
    form = await request.form()
    raw_since = form.get("since", "")
    log.info("order filter requested since=%r", raw_since)
    try:
        since = datetime.strptime(raw_since, "%Y-%m-%d").date()
    except ValueError:
        raise HTTPException(status_code=400, detail="since must be YYYY-MM-DD")
    request.session["orders_since"] = since.isoformat()
    return {"orders_since": since.isoformat()}
