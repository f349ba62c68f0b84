"""The articles of the Zhangjiakou rules (张家口市规范涉企行政检查实施细则) that decisions cite, and the
label of the rules the system adds itself (no article to cite: it says so instead)."""

RULES = "《张家口市规范涉企行政检查实施细则》"
ART = {
    n: f"{RULES}第{c}条"
    for n, c in {
        3: "三",
        4: "四",
        7: "七",
        8: "八",
        11: "十一",
        12: "十二",
        13: "十三",
        14: "十四",
        16: "十六",
        17: "十七",
        18: "十八",
        19: "十九",
        20: "二十",
        22: "二十二",
        24: "二十四",
        25: "二十五",
        26: "二十六",
        27: "二十七",
        28: "二十八",
        29: "二十九",
        30: "三十",
        31: "三十一",
    }.items()
}
# A rule of this system, not of the regulation (a time window, one rating per visit, a size limit...).
SYSTEM_RULE = "本系统规则（非《张家口市规范涉企行政检查实施细则》条文）"
# Art. 26's second sentence refers suspected crimes to this State Council regulation.
CRIMINAL_TRANSFER_RULES = "《行政执法机关移送涉嫌犯罪案件的规定》"
