"""The articles of the Zhangjiakou rules (张家口市规范涉企行政检查实施细则) that decisions cite."""

RULES = "《张家口市规范涉企行政检查实施细则》"
ART = {n: f"{RULES}第{c}条" for n, c in {4: "四", 7: "七", 11: "十一", 12: "十二", 13: "十三", 14: "十四", 16: "十六",
                                        17: "十七", 18: "十八", 19: "十九", 24: "二十四"}.items()}
