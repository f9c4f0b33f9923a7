"""Session cookies as Appwrite sets them (AW app/controllers/api/account.php, addCookie; utopia-php/http's Swoole
response, which writes them like PHP's setcookie): `a_session_<project>` with `SameSite=None`, and the legacy
`a_session_<project>_legacy` without SameSite for browsers that refuse `None`, both HttpOnly on path `/`."""

from __future__ import annotations

import ipaddress
import json
import time
from urllib.parse import quote, urlsplit

from ..routing import Request


def cookie_name(project_id: str) -> str:
    return f"a_session_{project_id}".lower()  # utopia lower-cases cookie names


def _cookie_domain(host: str) -> str | None:
    """AW request.php `cookieDomain`: none on localhost or an IP address, else `.<hostname>`."""
    if host in ("localhost", "") or _is_ip(host):
        return None
    return "." + host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _registrable(host: str) -> str:
    """The registrable domain (last two labels; none for an IP or a single label), for domain verification."""
    if not host or _is_ip(host) or "." not in host:
        return ""
    return ".".join(host.split(".")[-2:])


def hostname(req: Request) -> str:
    try:
        return urlsplit("//" + req.headers.get("host", "")).hostname or ""
    except ValueError:
        return ""


def domain_verified(req: Request) -> bool:
    """AW `domainVerification`: the Origin (or Referer) shares the API host's registrable domain; without that,
    Appwrite also sends the session in `X-Fallback-Cookies` for the SDK to keep."""
    origin = req.headers.get("origin") or req.headers.get("referer") or ""
    try:
        origin_host = urlsplit(origin).hostname or ""
    except ValueError:
        origin_host = ""
    mine = _registrable(hostname(req))
    return mine != "" and mine == _registrable(origin_host)


def _secure(req: Request) -> bool:
    return req.headers.get("x-forwarded-proto", "http").lower() == "https"


def _cookie(name: str, value: str, expire: int, domain: str | None, secure: bool, same_site: str | None) -> str:
    if value:
        when = time.strftime("%a, %d-%b-%Y %H:%M:%S GMT", time.gmtime(expire))
        text = f"{name}={quote(value, safe='')}; expires={when}; Max-Age={max(expire - int(time.time()), 0)}"
    else:  # how PHP and Swoole write a cookie without a value: a deletion
        text = f"{name}=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0"
    text += "; path=/"
    if domain:
        text += f"; domain={domain}"
    if secure:
        text += "; secure"
    text += "; httponly"
    if same_site:
        text += f"; samesite={same_site}"
    return text


def set_session(req: Request, project_id: str, token: str, expire: int) -> None:
    """The cookies (and, when the origin is not verified, `X-Fallback-Cookies`) of a new session."""
    name, domain, secure = cookie_name(project_id), _cookie_domain(hostname(req)), _secure(req)
    if not domain_verified(req):
        req.answer_headers.append(("X-Fallback-Cookies", json.dumps({name: token})))
    req.answer_headers.append(("Set-Cookie", _cookie(name + "_legacy", token, expire, domain, secure, None)))
    req.answer_headers.append(("Set-Cookie", _cookie(name, token, expire, domain, secure, "None")))


def clear_session(req: Request, project_id: str) -> None:
    name, domain, secure = cookie_name(project_id), _cookie_domain(hostname(req)), _secure(req)
    if not domain_verified(req):
        req.answer_headers.append(("X-Fallback-Cookies", "[]"))
    req.answer_headers.append(("Set-Cookie", _cookie(name + "_legacy", "", 0, domain, secure, None)))
    req.answer_headers.append(("Set-Cookie", _cookie(name, "", 0, domain, secure, "None")))
