"""Readable browser and system names for the online-sessions page (issue 11 item 15)."""

import pytest

from renkou.common.agents import describe

# Real User-Agent strings of the browsers county offices use, with what a person calls them.
CASES = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "Chrome 120 · Windows 10/11",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
        "Edge 120 · Windows 10/11",
    ),
    (
        "Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0",
        "Firefox 115 · Windows 7",
    ),
    (
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/86.0.4240.198 Safari/537.36 QIHU 360SE",
        "360浏览器 · Windows 7",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.25 Safari/537.36 Core/1.70.3870.400 QQBrowser/10.8.4405.400",
        "QQ浏览器 10 · Windows 10/11",
    ),
    (
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/58.0.3029.81 Safari/537.36 SE 2.X MetaSr 1.0",
        "搜狗浏览器 · Windows 7",
    ),
    (
        "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
        "IE 11 · Windows 7",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.1 Safari/605.1.15",
        "Safari 17 · macOS",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Safari 17 · iOS 17.1（iPhone）",
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/5197 "
        "MMWEBSDK/20230805 MMWEBID/7238 MicroMessenger/8.0.42.2460(0x28002A58) WeChat/arm64 "
        "Weixin NetType/WIFI Language/zh_CN ABI/arm64",
        "微信 8 · Android 13（手机）",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/108.0.5359.125 Safari/537.36 UOS",
        "Chrome 108 · 统信 UOS",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/130.0.0.0 Safari/537.36",
        "Chrome 130 · Linux",
    ),
    ("curl/8.5.0", "其他（curl）"),
    ("", "—"),
]


@pytest.mark.parametrize(("agent", "expected"), CASES)
def test_describe(agent, expected):
    assert describe(agent) == expected
