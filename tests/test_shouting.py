"""Shouted messages are read as typed normally; IDs and product acronyms keep their form."""
from bot.nlu.shouting import calmed, shouted


def test_a_shout_is_lowered_but_ids_and_products_are_kept():
    said = "OUR ECS SERVERS WENT DOWN AT 23:50 LAST NIGHT. REFUND CS2611250001 OR I WANT A HUMAN"
    assert calmed(said) == "our ECS servers went down at 23:50 last night. refund CS2611250001 or i want a human"
    assert len(calmed(said)) == len(said)


def test_ordinary_text_and_short_acronyms_are_left_alone():
    assert not shouted("I want a refund for the ECS")
    assert calmed("ECS CS2611250001") == "ECS CS2611250001"


def test_training_lines_keep_their_case_so_annotations_stay_as_written():
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.script_normalizer import ChineseScriptNormalizer

    line = Message(data={"text": "REFUND MY DAMN SERVER TODAY", "intent": "request_refund",
                         "entities": [{"start": 15, "end": 21, "value": "SERVER", "entity": "product"}]})
    ChineseScriptNormalizer().process_training_data(TrainingData([line]))
    assert line.get("text") == "REFUND MY DAMN SERVER TODAY"
    parsed = Message(data={"text": "REFUND MY DAMN SERVER TODAY"})
    ChineseScriptNormalizer().process([parsed])
    assert parsed.get("text") == "refund my damn server today"
