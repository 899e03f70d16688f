"""What production mode (JIUZHU_PRODUCTION=1, set by `make serve`) requires of the
environment. No Django import: settings.py and gunicorn.conf.py both call it before
Django is set up, so a missing key stops the server with this message, not a traceback."""

from __future__ import annotations

from collections.abc import Mapping

REQUIRED = {
    "DATABASE_URL": ("PostgreSQL 连接串 postgres://用户@主机:5432/库名", "PostgreSQL URL"),
    "JIUZHU_SECRET_KEY": ("会话与表单签名密钥", "session and form signing key"),
    "JIUZHU_FIELD_KEY": ("身份证号加密密钥(丢失则已存号码无法解密)", "ID-number encryption key"),
    "JIUZHU_HASH_KEY": ("身份证号检索密钥(更换则查重与检索失效)", "ID-number lookup key"),
    "JIUZHU_ALLOWED_HOSTS": ("对外服务的域名或地址,逗号分隔", "host names served, comma-separated"),
}


def problems(environ: Mapping[str, str]) -> list[str]:
    """Lines naming each missing or unsafe setting; empty when production may start."""
    lines = [
        f"  {name:<22} {zh} / {en}"
        for name, (zh, en) in REQUIRED.items()
        if not environ.get(name, "").strip()
    ]
    url = environ.get("DATABASE_URL", "")
    if url and not url.startswith(("postgres://", "postgresql://")):
        lines.append(
            "  DATABASE_URL           生产环境须使用 PostgreSQL / production runs on PostgreSQL"
        )
    if environ.get("JIUZHU_DEBUG", "").lower() in {"1", "true", "yes", "on"}:
        lines.append(
            "  JIUZHU_DEBUG           生产环境不得开启调试 / debug must be off in production"
        )
    for name in ("JIUZHU_SECRET_KEY", "JIUZHU_FIELD_KEY", "JIUZHU_HASH_KEY"):
        value = environ.get(name, "").strip()
        if value and len(value) < 32:
            lines.append(f"  {name:<22} 至少 32 个字符 / at least 32 characters")
    return lines


def message(lines: list[str]) -> str:
    return "\n".join(
        [
            "生产模式无法启动,请设置以下环境变量 / Production mode cannot start; set:",
            *lines,
            "生成密钥 / generate a key:  python3 -c 'import secrets; print(secrets.token_urlsafe(48))'",
            "详见 / see docs/deploy.md",
        ]
    )
