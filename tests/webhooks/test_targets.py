"""SSRF protection of webhook targets: every form of a private, loopback, link-local,
multicast, reserved or unspecified address is refused (IPv4 and IPv6, hex and octal forms,
IPv4 inside IPv6), and the setting that allows internal hosts allows only the names it lists."""

import ipaddress

import pytest

from forum.webhooks import targets

REFUSED = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://localhost/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # shared address space (carrier NAT)
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.2.10/",  # documentation
    "http://[::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
    "http://[2002:7f00:1::1]/",  # 6to4 around 127.0.0.1
    "http://[64:ff9b::a00:1]/",  # NAT64 to 10.0.0.1
    "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",  # Teredo (client 10.0.0.1)
    "http://[2001:db8::1]/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_private_or_reserved_target_is_refused(ctx, url):
    ctx.config["WEBHOOK_ALLOWED_INTERNAL_HOSTS"] = ()
    with pytest.raises(targets.UnsafeTarget, match="private or reserved address"):
        targets.check(url)


@pytest.mark.parametrize(
    "url", ["https://93.184.215.14/hook", "http://1.1.1.1:8080/x?y=1", "https://[2606:4700::1111]/"]
)
def test_a_public_address_is_accepted(ctx, url):
    ctx.config["WEBHOOK_ALLOWED_INTERNAL_HOSTS"] = ()
    target = targets.check(url)
    assert target.addresses and all(targets.is_public(a) for a in target.addresses)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the URL"),
        ("javascript:alert(1)", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("gopher://1.1.1.1/", "Only http and https"),
        ("http://user@1.1.1.1/", "no user name or password"),
        ("http://1.1.1.1:0/", "That port cannot receive anything."),
        ("http://1.1.1.1:65536/", "not a valid URL"),
        ("http://[::1/", "not a valid URL"),
        ("http://1.1.1.1/\x00", "control characters"),
        ("http://" + "a" * 2001, "at most 2000 characters"),
    ],
)
def test_a_malformed_url_is_refused_with_a_reason(ctx, url, message):
    with pytest.raises(targets.UnsafeTarget, match=message):
        targets.check(url)


def test_the_internal_hosts_setting_allows_the_names_it_lists_and_no_other_spelling(ctx):
    ctx.config["WEBHOOK_ALLOWED_INTERNAL_HOSTS"] = ("127.0.0.1",)
    assert targets.check("http://127.0.0.1:8065/hooks/abc").addresses == (
        ipaddress.ip_address("127.0.0.1"),
    )
    for other in ("http://0x7f000001/", "http://localhost/", "http://[::1]/"):
        with pytest.raises(targets.UnsafeTarget):
            targets.check(other)


def test_the_host_header_keeps_the_name_and_a_non_default_port(ctx):
    assert targets.parse("https://chat.example.com/hooks").host_header == "chat.example.com"
    assert targets.parse("http://chat.example.com:8080/").host_header == "chat.example.com:8080"
    assert targets.parse("http://[2606:4700::1111]:81/").host_header == "[2606:4700::1111]:81"
    assert targets.parse("https://a.example/p?q=1").path == "/p?q=1"
