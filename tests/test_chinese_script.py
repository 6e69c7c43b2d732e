"""Traditional Chinese and written Cantonese read as simplified Mandarin (bot/nlu/chinese_script.py)."""
from bot.nlu.chinese_script import TRADITIONAL, to_simplified


def test_traditional_and_cantonese_become_simplified_mandarin():
    assert to_simplified("請問你哋客服熱線幾多號？今晚8點打得唔得？") == "请问你们客服热线多少号？今晚8点打行不行？"
    assert to_simplified("我問咗電訊公司，佢哋話係條光纖出咗問題") == "我问了电讯公司，他们话是条光纤出了问题"


def test_text_without_them_is_unchanged():
    for said in ("refund my ECS please", "我想退款，昨天买的云服务器", "CS2611240001"):
        assert to_simplified(said) == said


def test_the_table_maps_one_character_to_one_other():
    assert all(len(k) == 1 and len(v) == 1 and k != v for k, v in TRADITIONAL.items())
    assert not set(TRADITIONAL) & set(TRADITIONAL.values())  # applying it twice changes nothing more
