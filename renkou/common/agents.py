"""A readable summary of a browser's User-Agent string for the online-sessions and login-log
pages ("Chrome 120 · Windows 10/11"), for the browsers county offices use: Chrome, Edge,
Firefox, Safari, the Chinese shells (360, QQ, Sogou, UC, WeChat) and old Internet Explorer, on
Windows, macOS, 统信 UOS, 银河麒麟, Linux, Android and iOS.

A small table of patterns rather than a dependency: the page needs a name and a version, not a
device database. The shells come first because they also carry "Chrome" and "Safari".
"""

import re

# (name, pattern whose first group is the version, or None when the version is not shown)
BROWSERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("微信", r"MicroMessenger/(\d+)"),
        ("企业微信", r"wxwork/(\d+)"),
        ("钉钉", r"DingTalk/(\d+)"),
        ("QQ浏览器", r"QQBrowser/(\d+)"),
        ("360浏览器", r"(?:360SE|360EE|QIHU 360)()"),
        ("搜狗浏览器", r"(?:MetaSr|SogouMobileBrowser)\s?(?:[\d.]+)?()"),
        ("UC浏览器", r"UCBrowser/(\d+)"),
        ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
        ("Opera", r"(?:OPR|Opera)/(\d+)"),
        ("Firefox", r"(?:Firefox|FxiOS)/(\d+)"),
        ("Chrome", r"(?:HeadlessChrome|Chrome|CriOS)/(\d+)"),
        ("IE", r"(?:MSIE |Trident/.*rv:)(\d+)"),
        ("Safari", r"Version/(\d+)(?:\.\d+)*.*Safari/"),
    )
)

_WINDOWS = {
    "10.0": "Windows 10/11",
    "6.3": "Windows 8.1",
    "6.2": "Windows 8",
    "6.1": "Windows 7",
    "6.0": "Windows Vista",
    "5.1": "Windows XP",
}
OTHER = "其他"


def browser(agent: str) -> str:
    for name, pattern in BROWSERS:
        match = pattern.search(agent)
        if match:
            version = match.group(1) if match.groups() else ""
            return f"{name} {version}".strip()
    tool = re.match(r"([A-Za-z][\w.-]*)/[\d.]+", agent)  # curl/8.1, python-requests/2.31
    return f"{OTHER}（{tool.group(1)}）" if tool and not agent.startswith("Mozilla") else OTHER


def system(agent: str) -> str:
    if match := re.search(r"Windows NT (\d+\.\d+)", agent):
        return _WINDOWS.get(match.group(1), "Windows")
    if match := re.search(r"(?:iPhone|CPU) OS (\d+)(?:_(\d+))?", agent):
        device = "iPad" if "iPad" in agent else "iPhone"
        minor = f".{match.group(2)}" if match.group(2) else ""
        return f"iOS {match.group(1)}{minor}（{device}）"
    if match := re.search(r"Android (\d+(?:\.\d+)?)", agent):
        return f"Android {match.group(1)}"
    if "Mac OS X" in agent or "Macintosh" in agent:
        return "macOS"
    if re.search(r"\bUOS\b|UnionTech", agent, re.IGNORECASE):
        return "统信 UOS"
    if "Kylin" in agent:
        return "银河麒麟"
    if "Linux" in agent or "X11" in agent:
        return "Linux"
    return ""


def describe(agent: str | None) -> str:
    """ "Chrome 120 · Windows 10/11", "微信 8 · Android 13（手机）", or "—" when empty."""
    agent = (agent or "").strip()
    if not agent:
        return "—"
    parts = [browser(agent)]
    platform = system(agent)
    if platform:
        mobile = "Mobile" in agent and "iOS" not in platform and "Android" in platform
        parts.append(platform + ("（手机）" if mobile else ""))
    return " · ".join(parts)
