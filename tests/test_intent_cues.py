"""Intent cues (bot/nlu/intent_cues.py): phrasings that say their intent outright
override a contradicting classifier reading, and nothing else."""
import pytest

from bot.nlu.cues import cue_intent
from bot.nlu.intent_cues import CUE_CONFIDENCE, _reranked


@pytest.mark.parametrize("text,classified,expected", [
    ("10 a year?? ridiculous. get me a human.", "out_of_scope", "human_handoff"),
    ("ugh. nobody told us about 7 days. open a complaint ticket.", "report_fault", "human_handoff"),
    ("I want to make a complaint then. Please open a complaint ticket for me.", "report_fault", "human_handoff"),
    ("but your anti-DDoS should protect!! I want to complain to manager", "out_of_scope", "human_handoff"),
    ("this is ridiculous. I want to file a complaint with a real person", "human_handoff", "human_handoff"),
    ("I'd like to talk to a real person", "out_of_scope", "human_handoff"),
    ("I still don't understand half of it. Could a real person please contact me?", "request_refund",
     "human_handoff"),
    ("That's ridiculous. I'd like to put this in front of an actual person on your side.", "report_fault",
     "human_handoff"),
    ("Need to RF the hourly ECS we spun up yesterday for a client POC", "report_fault", "request_refund"),
    ("RF on the yearly ECS pls. it's a VIP tenant so the 5 day thing shouldn't apply right", "faq",
     "request_refund"),
    ("Need to raise SLA credits on this tenant. What incidents do you have logged?", "nlu_fallback", "report_fault"),
    ("I changed a security group rule myself and nobody could reach my site all afternoon. Do I still get the "
     "compensation?", "scope", "report_fault"),
    ("不行，转人工", "deny", "human_handoff"),
    ("Refund request: monthly ECS purchased Wednesday at 16:20, paid 500.00, no invoice", "report_fault",
     "request_refund"),
    ("没有开发票. 服务器正常运行. 用了一张50元的优惠券", "report_fault", "inform"),
    ("My website isn't working since two hours. Will I be compensated for this?", "refund_status", "report_fault"),
    ("hi 我要申请赔偿", "greet", "report_fault"),
    ("备案奖励可以领吗?", "faq", "ask_icp_reward"),
    ("咁我而家打熱線問得唔得？", "scope", "ask_hotline"),
    ("I recharged 200, isn't that enough?", "request_refund", "ask_icp_reward"),
    ("周日呢", "greet", "inform"),
    ("OBS 的 pay-per-use package 能退吗", "faq", "request_refund"),
    ("i do ICP record first time with you, how much gift money i get? my host is pay by the hour", "faq",
     "ask_icp_reward"),
    ("and what about saturday?", "out_of_scope", "inform"),
    ("is your phone line staffed on saturdays?", "out_of_scope", "ask_hotline"),
    ("somebody steal my password because i write it in the group chat and he delete all my files on server. "
     "you must compensate me money!", "scope", "report_fault"),
    ("我们的数据被删了，我要求赔偿", "scope", "report_fault"),
    ("我已经备份好了，确认送出", "ask_icp_reward", "affirm"),
    ("yes go, nothing on it worth keeping", "deny", "affirm"),
    ("OK 先不要送出，我要先跟主管確認一下", "affirm", "deny"),
    ("那个已经批准的呢？我拖了十几天才补材料，服务器后来也提前退订了", "report_fault", "ask_icp_reward"),
    ("ok but don't submit it yet", "affirm", "deny"),
    ("don't submit it yet", "request_refund", "deny"),
    ("退款和故障赔偿到底有什么区别啊？", "refund_status", "faq"),
    ("能提现吗", "nlu_fallback", "faq"),
    ("oh wait sorry i meant the 19th not the 21st same times", "out_of_scope", "inform"),
    ("那先帮我 file 一个，等 review 完再说", "out_of_scope", "affirm"),
    ("Then what about Wednesday, when your OBS configuration change failed and we couldn't update the bucket "
     "settings?", "scope", "report_fault"),
    ("update: root cause was my own acl typo, not yours. still eligible?", "ask_icp_reward", "inform"),
    ("hold on let me check if i backd evrything up", "refund_status", "deny"),
    ("Understood. If I submit a service ticket tonight, outside the hotline hours, will it still be accepted?",
     "human_handoff", "ask_hotline"),
    ("...fine, whatever, ship it.", "request_refund", "affirm"),
    ("那你们到底管什么呀", "refund_status", "scope"),
    ("不好意思我记错了，累计充值是200元整，不是500。", "report_fault", "inform"),
    ("Very well. Please file the claim.", "refund_status", "affirm"),
    ("The refund you approved last week still isn't in my bank account", "request_refund", "refund_status"),
    ("my statement doesn't show the refund yet, what's going on", "faq", "refund_status"),
    ("I'm still waiting on my refund from the 20th", "request_refund", "refund_status"),
    ("Why isn't my refund on my statement?", "request_refund", "refund_status"),
    ("I want a refund, but I haven't used the server yet", "request_refund", None),
    ("will someone pick up monday 08:30 our time (+08:00)?", "report_fault", "ask_hotline"),
    ("Thank you. How long until the money comes back, and how do I see where it's at?", "faq", "refund_status"),
    ("另外，嗰部 server 係 pay-per-use 嘅，可唔可以 refund？", "faq", "request_refund"),
    ("ok. It was a server for one month, I paid 99 yuan for it on Wednesday. I never asked for an invoice, I didn't "
     "use any coupon or discount, I've never asked for a refund before.", "refund_status", "inform"),
    ("唉，咁幫我開張單啦，我想問退款嘅嘢，請人聯絡返我", "request_refund", "human_handoff"),
    ("refund the yearly EVS from tues? invoice already sent back ✅", "faq", "request_refund"),
    ("when does that land, and can we cash it out?", "refund_status", "faq"),
    ("wednesday we pushed an OBS bucket config change and your side failed the change, it's in the console as an "
     "incident. what's that worth?", "scope", "report_fault"),
    ("backed up already. go ahead", "request_refund", "affirm"),
    ("ICP reward enquiry. Yearly cloud host, active, used for our website. It is our first filing with you; "
     "approved on 20 November. Accumulated recharge 350.00", "faq", "ask_icp_reward"),
    ("I have plan to do ICP filing for my new site, the host is pay per use. I will get the reward after?", "faq",
     "ask_icp_reward"),
])
def test_a_cue_overrides_a_contradicting_reading(text, classified, expected):
    assert cue_intent(text, classified) == expected


@pytest.mark.parametrize("text,classified", [
    ("no need for a ticket, thanks", "thank"),
    ("I don't want to talk to a person, just tell me the amount", "report_fault"),
    ("can I talk to a person on the hotline? what's the number", "ask_hotline"),
    ("where is my compensation for the outage? status?", "refund_status"),
    ("how is compensation paid?", "faq"),
    ("my server was down 3 hours yesterday, refund or compensation?", "report_fault"),
    ("hello", "greet"),
    ("what is the ICP reward amount?", "faq"),
    ("I called your hotline and nobody answered, my server is down, I want compensation", "report_fault"),
    ("I recharged by mistake, can I get a refund of the recharge?", "request_refund"),
    ("if a hacker deletes my files, must you compensate me?", "faq"),
    ("no need to compensate me, just tell me if the console is covered", "scope"),
    ("go ahead and check the ICP reward", "ask_icp_reward"),
    ("How much do I need to recharge for the ICP reward?", "faq"),
    ("does the ICP reward need a yearly host?", "faq"),
    ("ok, no thanks", "deny"),
    ("I paid 99 with a coupon and returned the invoice, but the refund has not come back to my card", "refund_status"),
    ("what is the status of the claim I filed?", "refund_status"),
    ("yes but wait, not yet", "deny"),
    ("Why isn't a recent refund on my statement?", "refund_status"),
])
def test_no_cue_where_the_reading_may_be_right(text, classified):
    assert cue_intent(text, classified) is None


def test_a_person_mentioned_is_offered_a_ticket_a_person_or_ticket_demanded_is_clear():
    from bot.nlu.cues import PERSON_ONLY_CONFIDENCE, cue_confidence

    assert cue_confidence("escalate this to a manager?", "human_handoff") == PERSON_ONLY_CONFIDENCE
    assert cue_confidence("get me a human NOW", "human_handoff") is None  # demanded: a ticket, not an offer
    assert cue_confidence("open a complaint ticket", "human_handoff") is None  # the clear default
    assert cue_intent("I want to talk to a real person please", "human_handoff") is None  # as classified


def test_the_cue_reading_is_first_and_clear():
    ranking = _reranked([{"name": "out_of_scope", "confidence": 0.9}, {"name": "human_handoff", "confidence": 0.05},
                         {"name": "greet", "confidence": 0.05}], "human_handoff")
    assert ranking[0] == {"name": "human_handoff", "confidence": CUE_CONFIDENCE}
    assert [r["name"] for r in ranking[1:]] == ["out_of_scope", "greet"]
    assert ranking[0]["confidence"] - ranking[1]["confidence"] > 0.5  # no ambiguity fallback
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-9


@pytest.mark.parametrize("text,expected", [
    ("i used a pay-as-you-go GPU instance for my project, can i get a refund for it", "request_refund"),
    ("can I get a refund after 5 days?", None),
    ("Can I get compensation if the outage was caused by a DDoS?", None),
    ("are pay-per-use products refundable?", None),
])
def test_a_policy_question_about_their_own_case_starts_the_check(text, expected):
    assert cue_intent(text, "faq") == expected


@pytest.mark.parametrize("text", [
    "are hacker attacks compensated at all",
    "who can get the filing reward",
    "my resource is in its grace period, is that refundable",
    "refund my app store purchase",
    "how long do I have to ask for my money back",
    "what is the refund process",
])
def test_a_question_about_the_rule_stays_a_question(text):
    for intent in ("faq", "out_of_scope"):
        assert cue_intent(text, intent, 0.3, 0.28) is None


def test_a_stop_reading_without_a_stopping_word_is_doubtful():
    from bot.nlu.cues import doubtful_stop

    assert doubtful_stop("But it is not my fault, the attacker did it, not me", "stop")
    for said in ("stop", "nah forget it", "算了不查了", "先不提交了", "never mind, let's just leave it"):
        assert not doubtful_stop(said, "stop")
    assert not doubtful_stop("But it is not my fault", "deny")


def test_an_affirm_reading_of_a_longer_question_without_a_yes_is_doubtful():
    from bot.nlu.cues import doubtful_affirm

    assert doubtful_affirm("On Sunday I bought the EVS, monthly I think, but it was the wrong one. Can I still send "
                           "it back?", "affirm")
    assert doubtful_affirm("ok so can i refnd the datadisk evs", "affirm")
    for said in ("yes", "yes, go ahead and submit it please", "yeah I copied everything, please submit",
                 "ok, can you file it now?", "sure, why not, do it"):
        assert not doubtful_affirm(said, "affirm")
    assert not doubtful_affirm("ok so can i refnd the datadisk evs", "request_refund")


def test_a_refund_asked_for_instead_is_no_status_question():
    assert cue_intent("Received it already? I honestly don't remember. Well then, I'd like a refund instead.",
                      "refund_status") == "request_refund"
    assert cue_intent("I'd like to know the status of my refund", "refund_status") is None


def test_a_refund_asked_outright_after_an_outage_is_a_refund():
    assert cue_intent("我的服务器昨天下午2点到3点35宕机了，我要退款", "report_fault") == "request_refund"
    assert cue_intent("my server crashed again, I want my money back NOW", "report_fault") == "request_refund"
    assert cue_intent("server down 3 hours, I want compensation or a refund", "report_fault") is None


def test_money_back_asked_outright_about_their_own_purchase_is_a_refund():
    said = "My grandson helped me buy a cloud server on Tuesday for my website, and I would like my money back."
    assert cue_intent(said, "out_of_scope") == "request_refund"
    assert cue_intent("refund my app store purchase", "out_of_scope") is None
    assert cue_intent("if my cloud server stops working because of you, will I get money back?",
                      "request_refund") == "report_fault"


def test_status_of_their_own_refunds_and_a_short_stop_read_as_a_guess():
    assert cue_intent("我今年申请的那些退款现在都是什么状态啊？", "faq") == "refund_status"
    assert cue_intent("what is the status of refund requests in general?", "faq") is None
    assert cue_intent("actually nvm", "nlu_fallback", 0.0) == "stop"
    assert cue_intent("actually the CDN one, never mind the other", "inform") is None


def test_a_status_page_is_no_status_question():
    said = "our shop site was DOWN last nite from 11pm till 1am, ur status page said so. how much comp do i get??"
    assert cue_intent(said, "refund_status") == "report_fault"


def test_money_back_for_an_outage_read_as_a_guess_is_compensation():
    said = "Never mind. Then may I ask: if my cloud server stops working because of something on your side, will I get money back?"
    assert cue_intent(said, "report_fault", 0.3, 0.28) is None  # the guess was right
    assert cue_intent(said, "faq", 0.3, 0.28) == "report_fault"
    assert cue_intent("I bought a server yesterday, can I get my money back?", "faq", 0.3, 0.28) == "request_refund"


def test_a_refund_not_showing_up_is_a_status_question_an_item_not_received_is_not():
    said = "Help! my refund is not showing. I requested that a seller refund my money a while back. What can you do?"
    assert cue_intent(said, "refund_status") is None
    assert cue_intent("I requested a refund, and never received it. What can I do?", "request_refund", 0.3, 0.28) \
        == "refund_status"
    assert cue_intent("I never got the item I paid for, I want all of my money back!", "refund_status") == \
        "request_refund"


def test_a_split_reading_is_settled_by_the_check_named_outright():
    said = "Need to RF the hourly ECS we spun up yesterday for a client POC - order CS2611260002."
    assert cue_intent(said, "request_refund", 0.5, 0.49) == "request_refund"
    assert cue_intent(said, "request_refund", 0.9, 0.05) is None  # already clear: nothing to settle
    credits = "Need to raise SLA credits on this tenant. What incidents do you have logged?"
    assert cue_intent(credits, "report_fault", 0.35, 0.33) == "report_fault"


@pytest.mark.parametrize("text,classified", [
    ("Sunday evening our booking page just stopped loading. I had three complaints before I even knew. I want to "
     "know what you're going to do about it.", "out_of_scope"),
    ("My grandson set up a cloud thing for my blog and it stopped showing on Tuesday. Is there something I can get "
     "back for that?", "scope"),
])
def test_what_a_customer_gets_for_an_outage_is_a_fault_report(text, classified):
    assert cue_intent(text, classified) == "report_fault"


def test_a_check_given_up_is_no_request_and_everyday_reward_words_ask_for_the_check():
    assert cue_intent("Oh dear. Well never mind the refunds then, thank you.", "request_refund") == "thank"
    assert cue_intent("forget the compensation", "report_fault") == "stop"
    assert cue_intent("never mind, I want a refund for the disk", "request_refund") is None
    said = "Somebody at the library said there's money for doing the ICP thing? My blog has 150 readers now."
    assert cue_intent(said, "faq") == "ask_icp_reward"


def test_a_person_wanted_in_so_many_words_is_clear_a_person_mentioned_is_not():
    from bot.nlu.cues import PERSON_ONLY_CONFIDENCE, cue_confidence

    assert cue_confidence("I'd like to put this in front of an actual person on your side.", "human_handoff") is None
    assert cue_confidence("can a person look at this?", "human_handoff") == PERSON_ONLY_CONFIDENCE


def test_a_colleagues_confirmation_is_no_yes_to_filing():
    said = ("On Tuesday the configuration change was stuck from 10:00 to 13:30. Your support already confirmed it was "
            "a bug on your side. What can we get for that?")
    assert cue_intent(said, "report_fault") is None
