"""name_echo.v1: the agent gave a name, as the customer's reply shows ("Hi Dana, ...").

Speech recognisers write names in lower case or mangle them, and agents give them in endless
ways ("Corner Drug pharmacy, Dana.", "smart meter support, its jack"), so a phrase list never
catches them all. The customer's greeting back is a second witness: when the customer opens a
turn with "hi <word>" (or hello, hiya, thanks, morning ...) and the agent said that word, or
one that sounds close ("brand" for "Brandon"), in the window before, the agent said their name.
A capitalised name the agent's channel lost entirely ("Hey, Brandon" after "NISTY brand") still
counts, with less confidence: a customer knows the agent's name only because it was given.
"""

from __future__ import annotations

import difflib

from qa_analytics.checks.base import BuildContext, CallView, Finding, Hit, Params
from qa_analytics.checks.conditions import Window, select

# Words a customer greets with, and the interjections that may come before them.
GREETINGS = ("hi", "hello", "hiya", "hey", "morning", "afternoon", "evening", "thanks",
             "thank", "cheers", "hallo", "howdy")
_LEAD_INS = frozenset({"oh", "ah", "yeah", "yes", "yep", "well", "right", "okay", "ok", "um",
                       "uh", "good", "and", "so", "you", "there"})
# Words after a greeting that are not a name ("hi there", "thanks again", "morning love").
_NOT_NAMES = frozenset({
    "there", "again", "you", "yes", "yeah", "so", "i", "it", "the", "a", "and", "for", "very",
    "much", "love", "mate", "sir", "madam", "maam", "miss", "dear", "darling", "pet", "hun",
    "team", "everyone", "all", "guys", "folks", "um", "uh", "ok", "okay", "im", "just", "my",
    "to", "this", "that", "is", "am", "how", "we", "our", "your", "good", "morning",
    "afternoon", "evening", "hi", "hello", "thanks", "thank", "please", "sorry", "oh", "well",
    "right", "yep", "no", "bye", "goodbye", "cheers", "ta", "lovely", "great", "brilliant",
    "may", "can", "could", "would", "will", "what", "when", "where", "why", "who",
    "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "god", "jesus", "christ"})


def sounds_alike(heard: str, said: str) -> bool:
    """The customer's name for the agent and a word of the agent's, as ASR may have heard
    them: equal, close in spelling, or sharing a 3-letter start ("brand" / "brandon")."""
    if heard == said:
        return True
    if len(said) >= 3 and len(heard) >= 3 and said[:3] == heard[:3] \
            and min(len(said), len(heard)) >= 4:
        return True
    return difflib.SequenceMatcher(None, heard, said).ratio() >= 0.75


class NameEchoParams(Params):
    # where the agent must have said the name
    window: Window = Window(first_turns=3)
    # how many of the customer's turns may greet the agent by name
    customer_turns: int = 2
    greetings: list[str] = list(GREETINGS)
    describe: str = "agent's name, greeted back by the customer"


class NameEchoCheck:
    """Finds the agent utterance holding the name the customer greets the agent by."""

    Params = NameEchoParams

    def __init__(self, params: NameEchoParams, context: BuildContext) -> None:
        self.params = params
        self.greetings = frozenset(g.lower() for g in params.greetings)

    def _greeted_name(self, words: tuple[str, ...]) -> tuple[str, bool] | None:
        """The word the customer greets the agent with, and whether it was capitalised."""
        # a comma may stand between greeting and name ("Hi, Dana"), a full stop may not:
        # "Hello. Aye, it's Pauline" greets nobody
        kept = [w for w in words if w != ","]
        lowers = [w.lower() for w in kept]
        i = 0
        while i < len(lowers) and lowers[i] in _LEAD_INS and lowers[i] not in self.greetings:
            i += 1
        greeted = False
        while i < len(lowers) and lowers[i] in self.greetings:
            i += 1
            greeted = True
            if i < len(lowers) and lowers[i] == "you" and lowers[i - 1] == "thank":
                i += 1  # "thank you Dana"
        if greeted and i < len(lowers):
            name = lowers[i]
            if name.isalpha() and len(name) >= 2 and name not in _NOT_NAMES:
                return name, kept[i][:1].isupper()
        return None

    def find(self, view: CallView) -> Finding:
        agent_idx, scope = select(view, "agent", self.params.window)
        customer_idx = [i for i, u in enumerate(view.utterances) if u.speaker == "customer"]
        scope = f"{scope} (as greeted back by the customer)"
        for c in customer_idx[: self.params.customer_turns]:
            greeted = self._greeted_name(view.norms[c].words)
            if greeted is None:
                continue
            name, capitalised = greeted
            said_before = [a for a in agent_idx if a < c]
            for a in said_before:
                words = [w.lower() for w in view.norms[a].words]
                for k, word in enumerate(words):
                    if word.isalpha() and sounds_alike(name, word):
                        conf = 0.85 * min(view.asr_factor(a), view.asr_factor(c))
                        return Finding(True, conf, (Hit(a, conf, view.norms[a].words[k], k),),
                                       scope)
            if said_before and capitalised and len(name) >= 3:
                # the agent spoke first and the customer knows a name: the agent's channel lost
                # it; less sure, so the verdict goes to review
                conf = 0.65 * view.asr_factor(c)
                return Finding(True, conf, (Hit(c, conf, view.norms[c].words[0], 0),), scope)
        return Finding(False, 0.8, (), scope)
