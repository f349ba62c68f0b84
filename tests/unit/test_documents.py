"""Art. 22: each document names the form it follows and carries the form's key elements."""

from sheqi.rules import documents
from sheqi.rules.articles import ART


def test_a_form_is_named_by_a_title_a_source_gives_or_by_its_stage():
    assert documents.FORMS["announcement"].follows.endswith("《行政检查通知书》")
    assert documents.FORMS["record"].follows.endswith("现场检查笔录") and ART[19] in documents.FORMS["record"].source
    assert "事后告知" in documents.FORMS["result_notice"].follows
    assert all(f.follows.startswith(documents.COLLECTION) for f in documents.FORMS.values())


def test_missing_names_each_empty_key_element_and_skips_optional_ones():
    full = {key: "x" for key in documents.FORMS["announcement"].elements}
    assert documents.missing("announcement", full) == []
    assert documents.missing("announcement", {**full, "legal_basis": "", "rights": None}) == [
        "法律依据",
        "被检查人权利（回避申请、权利救济）",
    ]
    record = {key: "x" for key in documents.FORMS["record"].elements if key != "assisted_by"}
    assert documents.missing("record", record) == []  # no third party assisted: nothing missing
    described = documents.describe("record", {**record, "inspectors": []})
    assert described["missing"] == ["执法人员及证件号"] and described["article"] == ART[22]


def test_the_footer_names_the_form_and_the_article():
    assert documents.footer("announcement") == f"（本文书参照{documents.COLLECTION}之《行政检查通知书》制作，{ART[22]}）"
