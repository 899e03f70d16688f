"""POST /api/token: username and password in, bearer token out."""

from django.contrib.auth import authenticate
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from jiuzhu.api_schema import responses

from .models import ApiToken

router = Router(tags=["认证"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_at: str


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
        return user


@router.post(
    "/token",
    response=responses(TokenOut, 401, 422, 429),
    auth=None,
    summary="用用户名和密码换取接口令牌",
)
def token_create(request, payload: TokenIn):
    # authenticate() runs django-axes too, so the API shares the lockout.
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, "用户名或密码错误,或账户已被锁定")
    token, raw = ApiToken.issue(user=user)
    return {"token": raw, "expires_at": token.expires_at.isoformat()}
