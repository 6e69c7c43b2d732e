"""Shouted messages are read as typed normally; IDs and product acronyms keep their form."""
from bot.nlu.shouting import calmed, shouted


def test_a_shout_is_lowered_but_ids_and_products_are_kept():
    said = "OUR ECS SERVERS WENT DOWN AT 23:50 LAST NIGHT. REFUND CS2611250001 OR I WANT A HUMAN"
    assert calmed(said) == "our ECS servers went down at 23:50 last night. refund CS2611250001 or i want a human"
    assert len(calmed(said)) == len(said)


def test_ordinary_text_and_short_acronyms_are_left_alone():
    assert not shouted("I want a refund for the ECS")
    assert calmed("ECS CS2611250001") == "ECS CS2611250001"
