"""Traditional Chinese and written Cantonese read as the simplified Mandarin the
assistant was trained on.

Why: customers in Hong Kong and Taiwan write 熱線 for 热线 and 賠償 for 赔偿, and
Cantonese writes 係/咗/唔/冇 where Mandarin writes 是/了/不/没. The training data, the
fact readers and Duckling's Chinese grammar know the simplified Mandarin forms, so
"請問你哋客服熱線幾多號？" was read as a fault report. This module rewrites a message
before the NLU reads it: one character for one character (offsets unchanged), then a
few Cantonese words for their Mandarin equivalents. Text with none of them is returned
unchanged. Pure: the tables below are the whole of it (the common characters of
support conversations, not a full converter).
"""
from __future__ import annotations

import re
from typing import Dict

#: traditional -> simplified, one character each (pairs: traditional then simplified)
_PAIRS = (
    "熱热線线電电話话號号碼码請请問问賠赔償偿網网個个這这們们來来說说為为麼么與与對对應应該该還还沒没嗎吗開开單单轉转"
    "務务維维護护連连斷断無无訪访頁页雲云獎奖勵励審审核核過过聯联絡络時时點点鐘钟週周禮礼訂订購购買买發发費费錢钱塊块"
    "會会員员頭头麽么樣样邊边幾几謝谢價价錯错誤误務务問问題题處处理理現现實实際际從从後后讓让給给見见覺觉區区虛虚擬拟"
    "機机器器伺伺務务庫库數数據据備备份份層层級级態态況况狀状續续約约帳账戶户號号稱称讀读寫写傳传遞递隊队長长門门關关"
    "閉闭啟启動动態态節节紀纪錄录條条項项產产品品類类別别廣广東东臺台灣湾復复歸归還还綁绑搶抢攻攻擊击駭骇毀毁壞坏損损"
    "斷断補补貼贴優优惠惠券券折折扣扣額额餘余滿满總总計计結结算算帳账戶户憑凭據据証证證证書书經经營营辦办續续費费"
    "給给與与準准則则規规條条歲岁級级專专業业顧顾客客戶户務务熱热門门問问候候謝谢請请稍稍後后聯联繫系郵邮箱箱"
    "頻频寬宽帶带負负載载均均衡衡網网絡络節节點点設设置置變变更更改改調调試试運运維维監监控控報报警警記记錄录顯显示示"
    "晚晚凌凌晨晨號号週周禮礼拜拜幾几鐘钟頭头兩两個个半半點点"
    "訊讯纖纤舖铺鋪铺嚴严裝装騰腾體体驗验貨货賬账資资訂订閱阅帳账異异常常緊紧急急慣惯鬆松災灾颱台風风"
    "確确認认執执選选擇择將将舊旧簡简壓压險险幫帮輸输劃划標标遠远適适歷历樂乐賣卖筆笔隨随並并當当剛刚預预決决須须"
    "衝冲響响戲戏遊游戰战驅驱氣气滅灭燈灯爛烂嗚呜噢噢陣阵陸陆導导師师盡尽讚赞訴诉張张絡络擊击緒绪"
)
TRADITIONAL: Dict[str, str] = {_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS) - 1, 2) if _PAIRS[i] != _PAIRS[i + 1]}
_TABLE = str.maketrans(TRADITIONAL)

#: written Cantonese -> Mandarin, longest first (lengths may differ: applied last)
CANTONESE = (
    ("点解", "为什么"), ("几个钟", "几个小时"), ("个钟", "个小时"), ("唔该", "谢谢"), ("开唔到", "开不了"),
    ("可唔可以", "可不可以"), ("得唔得", "行不行"), ("係唔係", "是不是"), ("是不是", "是不是"), ("有冇", "有没有"),
    ("几多号", "多少号"), ("几多", "多少"), ("几时", "什么时候"), ("乜嘢", "什么"), ("咩嘢", "什么"),
    ("點樣", "怎样"), ("点样", "怎样"), ("邊度", "哪里"), ("边度", "哪里"), ("你哋", "你们"), ("我哋", "我们"),
    ("佢哋", "他们"), ("尋晚", "昨晚"), ("儲值", "充值"), ("储值", "充值"), ("寻晚", "昨晚"), ("琴晚", "昨晚"), ("聽日", "明天"), ("听日", "明天"),
    ("今朝", "今天早上"), ("朝早", "早上"), ("日頭", "白天"), ("日头", "白天"), ("而家", "现在"), ("依家", "现在"),
    ("咁", "那"), ("係", "是"), ("喺", "在"), ("咗", "了"), ("啲", "些"), ("嘅", "的"), ("唔", "不"), ("冇", "没"),
    ("咩", "什么"), ("佢", "他"), ("嗰", "那"), ("呢個", "这个"), ("睇", "看"), ("俾", "给"), ("畀", "给"),
)
_CANTONESE_RE = re.compile("|".join(re.escape(word) for word, _ in CANTONESE))
_MANDARIN = dict(CANTONESE)


def to_simplified(text: str) -> str:
    """The message in simplified Mandarin where it was traditional or Cantonese."""
    if not text:
        return text
    simplified = text.translate(_TABLE)
    return _CANTONESE_RE.sub(lambda m: _MANDARIN[m.group(0)], simplified)
