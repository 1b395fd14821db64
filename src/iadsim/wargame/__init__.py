"""The wargame: a person commands the defence for one replication of a raid.

Python first, independent of the web (the browser page is a thin client of
:mod:`iadsim.web.wargame`)::

    from iadsim.api import prepare
    from iadsim.wargame import after_action_review, replay, save, start

    _, cs = prepare("examples/single_battery.yaml")
    session = start(cs, seed=7, replication=0)
    session.delegate("greedy", layer="gun")        # the guns fight on their own
    while not session.finished:
        view = session.view()                      # tracks, units, offers, in flight
        for offer in view["offers"][:1]:           # the player's picks ...
            session.assign(offer["threat"], offer["unit"])
        session.step()                             # ... taken; on to the next decision
    review = after_action_review(session)          # against greedy, cost_aware, exact
    save(session, "night.json")                    # replay(load_record(...), cs) gives it back
"""

from iadsim.wargame.choices import offer_value, policy_choice
from iadsim.wargame.errors import WargameError
from iadsim.wargame.record import load_record, record, replay, save
from iadsim.wargame.review import MEASURE, after_action_review, night
from iadsim.wargame.session import PLAYER, Chosen, Move, Session, perceived_kinds, start

__all__ = [
    "MEASURE",
    "PLAYER",
    "Chosen",
    "Move",
    "Session",
    "WargameError",
    "after_action_review",
    "load_record",
    "night",
    "offer_value",
    "perceived_kinds",
    "policy_choice",
    "record",
    "replay",
    "save",
    "start",
]
