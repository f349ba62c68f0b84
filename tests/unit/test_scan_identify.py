"""Which enterprise a scanned code names (Art. 24): our signed code, or a business licence's QR in the
one format licences carry (scanin.LICENCE_QR); copies, alterations and lookalikes are refused."""

import pytest

from sheqi.inspections import scanin
from sheqi.signing import codes

E = "91130722MA0A1B2C3U"
LICENCE = f"http://www.gsxt.gov.cn/index.html?uniscid={E}"


def reason(token: str) -> str | None:
    finding = scanin.identify(token)[3]
    return finding.code if finding else None


@pytest.mark.parametrize("token", [LICENCE, f" {LICENCE}\n"])
def test_a_business_licence_qr_names_the_enterprise_unsigned(token):
    assert scanin.identify(token) == (E, "business_licence", None, None)


def test_our_signed_code_as_url_or_bare_token():
    token = codes.sign(E, 1)
    for scanned in (token, codes.code_url(token)):
        enterprise_id, identified_by, claim, finding = scanin.identify(scanned)
        assert (enterprise_id, identified_by, claim.code_version, finding) == (E, "signed_code", 1, None)


@pytest.mark.parametrize(
    "token",
    [
        # Signed with this process's key: named by hand, so every xdist worker collects the same ids.
        pytest.param("2" + codes.sign(E, 1)[1:], id="our-format-scheme-digit-changed"),
        pytest.param(codes.code_url("9" + codes.sign(E, 1)[1:]), id="our-url-scheme-digit-changed"),
        f"统一社会信用代码：{E}",  # any text carrying the credit code
        E,
        f"https://www.gsxt.gov.cn/index.html?uniscid={E}",  # not what a licence carries
        f"http://gsxt.gov.cn/index.html?uniscid={E}",
        f"http://www.gsxt.gov.cn.evil.com/index.html?uniscid={E}",  # lookalike hosts
        f"http://www.gsxt.gov.cn@evil.com/index.html?uniscid={E}",
        f"http://www.gsxt-gov.cn/index.html?uniscid={E}",
        f"http://evil.com/?next=http://www.gsxt.gov.cn/index.html?uniscid={E}",
        f"http://www.gsxt.gov.cn/index.html?uniscid={E}&redirect=http://evil.com",
        f"http://www.gsxt.gov.cn/index.html?uniscid={E}#x",
        f"http://www.gsxt.gov.cn/index.html?uniscid={E.lower()}",
        f"http://www.gsxt.gov.cn/corp-query-entprise-info-xxx.html?uniscid={E}",
        f"https://zzlz.gsxt.gov.cn/businessCheck/verifKey.do?showType=p&serial={E}-SAIC_SHOW_1000009{E}1710919400712"
        "&signData=MEUCIQDEkCd8",  # the e-licence's website link, not a licence QR
    ],
)
def test_anything_else_carrying_the_credit_code_is_refused(token):
    assert scanin.identify(token)[:3] == (None, None, None)
    assert reason(token) == "code_not_licence"


def test_a_licence_qr_with_a_wrong_check_character_or_no_code():
    assert reason(LICENCE[:-1] + "0") == "licence_code_invalid"
    assert reason("not a code at all") == "code_malformed"
    assert reason("1.x.y") == "code_malformed"
