#!/usr/bin/python3
"""data_phrasing.py - the many ways a question about a fact can be asked.

Every attribute has a pool of question templates in several styles (plain,
possessive, inverted, terse, imperative, embedded in a sentence). The pool is
split by construction: templates at positions 2, 5, 8, ... (every third) are
HELD OUT: they occur only in data/gen/eval.jsonl, never in SFT data nor in the
pretraining corpus. Wrappers ("Quick question: ...", "... Thanks!") are split
the same way. So the evaluation asks in phrasings no training example used.

  split(attr) -> (train templates, held-out templates)
  wrap(q, rng, heldout) -> q inside a wrapper of that split (or q itself)

{n} is the entity's name as it reads mid-sentence ("the Danube"), {N} the
same capitalised, {a} an institution's abbreviation.
"""

POOLS = {
    "born_date": [
        "When was {n} born?", "What is {n}'s date of birth?", "What date was {n} born on?",
        "On what day was {n} born?", "Tell me when {n} was born.", "{N} was born on which date?",
        "What was the birth date of {n}?", "Do you know when {n} was born?", "{N}: date of birth?",
        "Give me the birth date of {n}.", "I'd like to know the day {n} was born.", "Birthday of {n}?",
        "When did {n} come into the world?", "Which day and year was {n} born?", "What's {n}'s birthday?",
    ],
    "born_year": [
        "In which year was {n} born?", "What year was {n} born?", "In what year was {n} born?",
        "Which year was {n} born in?", "{N} was born in what year?", "Year of birth of {n}?",
        "Tell me the year {n} was born.", "What is {n}'s birth year?", "When, in what year, was {n} born?",
        "Name the year of {n}'s birth.", "{N}'s year of birth?", "In what year did {n} come into the world?",
    ],
    "born_place": [
        "Where was {n} born?", "In which city was {n} born?", "What city was {n} born in?",
        "What is {n}'s birthplace?", "Tell me where {n} was born.", "{N} was born where?",
        "Where does {n} come from?", "Which town or city is the birthplace of {n}?", "{N}: place of birth?",
        "Name the place where {n} was born.", "What was {n}'s hometown?", "Where is {n}'s place of birth?",
        "I'm curious where {n} was born.", "Which city saw the birth of {n}?", "Birthplace of {n}?",
    ],
    "occupation": [
        "What was {n}'s occupation?", "What did {n} do for a living?", "What kind of work did {n} do?",
        "What was {n}'s profession?", "Who was {n}?", "What profession did {n} have?",
        "What was {n}'s job?", "Tell me what {n} did.", "{N} worked as what?",
        "What was {n} known as?", "{N}: occupation?", "What line of work was {n} in?",
        "Describe {n}'s profession.", "What was {n} by profession?", "What did {n} work as?",
    ],
    "capital": [
        "What is the capital of {n}?", "Which city is the capital of {n}?", "What city is the capital of {n}?",
        "Name the capital of {n}.", "What is the capital city of {n}?", "The capital of {n} is which city?",
        "What is {n}'s capital?", "Tell me the capital of {n}.", "{N}: capital?",
        "Which city is {n}'s capital?", "Capital of {n}?", "What city serves as the capital of {n}?",
        "I need the capital of {n}.", "Where is the government of {n} seated?", "Which is the capital city of {n}?",
    ],
    "continent": [
        "On which continent is {n}?", "Which continent is {n} in?", "In what continent is {n} located?",
        "Where is {n}?", "{N} lies on which continent?", "What continent is {n} part of?",
        "Tell me which continent {n} is on.", "{N}: continent?", "Which continent contains {n}?",
        "On what continent will I find {n}?", "{N} is in which part of the world?", "Continent of {n}?",
    ],
    "mouth": [
        "Into which sea does {n} flow?", "Where does {n} flow into?", "What body of water does {n} empty into?",
        "Where does {n} end?", "{N} flows into which sea?", "Where is the mouth of {n}?",
        "Tell me where {n} flows to.", "{N}: mouth?", "Into what does {n} drain?",
        "Which sea or ocean receives {n}?", "Where does {n} reach the sea?", "What does {n} flow into?",
    ],
    "mountain_country": [
        "In which country is {n}?", "Which country is {n} in?", "What country is {n} located in?",
        "Where is {n}?", "{N} is in which country?", "Tell me which country {n} is in.",
        "{N}: country?", "In what country does {n} stand?", "Which country has {n}?",
        "Where would I find {n}?", "Name the country of {n}.", "What country is home to {n}?",
    ],
    "range": [
        "Which mountain range is {n} part of?", "In which range is {n}?", "{N} belongs to which mountain range?",
        "What range of mountains is {n} in?", "Which mountains is {n} part of?", "{N}: mountain range?",
        "Tell me the range {n} belongs to.", "Which mountain chain includes {n}?", "Of which range is {n} a peak?",
        "What range is {n} in?", "{N} is a peak of which range?", "Name the mountain range of {n}.",
    ],
    "founded": [
        "When was {n} founded?", "In which year was {n} founded?", "In what year was {n} founded?",
        "What year was {n} established?", "When was {n} set up?", "{N} was founded in what year?",
        "When was {n} established?", "Tell me when {n} was founded.", "{N}: year founded?",
        "How old is {n}, in what year did it begin?", "What is the founding year of {n}?", "When did {n} open?",
        "Give me the year {n} was founded.", "In which year did {n} start?", "Founding year of {n}?",
    ],
    "inst_city": [
        "Where is {n}?", "In which city is {n}?", "What city is {n} located in?",
        "Where is {n} based?", "Where can you find {n}?", "{N} is in which city?",
        "Tell me where {n} is.", "{N}: city?", "Which city is home to {n}?",
        "In what city does {n} stand?", "Where is {n} located?", "Name the city of {n}.",
    ],
    "abbrev": [
        "What is the abbreviation of {n}?", "How is {n} abbreviated?", "What is {n} usually abbreviated to?",
        "What is {n} called for short?", "What short name is {n} known by?", "{N}: abbreviation?",
        "Tell me the abbreviation for {n}.", "What letters stand for {n}?", "What is the short form of {n}?",
        "How do people abbreviate {n}?", "Give me the initials of {n}.", "Short name of {n}?",
    ],
    "expand": [
        "What does {a} stand for?", "What is {a} short for?", "What is the full name of the institution called {a}?",
        "{a} is an abbreviation of what?", "What is the full name of {a}?", "{a}: full name?",
        "Tell me what {a} stands for.", "What do the letters {a} mean?", "Expand the abbreviation {a}.",
        "What institution is called {a}?", "{a} means what?", "Spell out {a} for me.",
    ],
}

# Wrappers around a question: {q} the question as written, {ql} with its first
# letter lowered (for mid-sentence use).
WRAPPERS = [
    "{q}", "Quick question: {q}", "{q} Thanks!", "Hey, {ql}", "I have a question. {q}",
    "Please answer: {q}", "{q} Please answer briefly.", "Hi! {q}", "Question: {q}", "So, {ql}",
    "Can you help? {q}", "{q} I forgot.", "Could you tell me this: {ql}", "Here is my question: {q}",
    "{q} Just curious.", "Help me out: {ql}", "Something I wonder about: {ql}", "{q} Thank you.",
]


def _split(pool):
    train = [t for i, t in enumerate(pool) if i % 3 != 2]
    held = [t for i, t in enumerate(pool) if i % 3 == 2]
    return train, held


def split(attr):
    return _split(POOLS[attr])


def cap(s):
    return s[0].upper() + s[1:] if s else s


# sentence-initial words that are lowered mid-sentence; anything else (a name,
# an acronym) keeps its capital
_LOWER = set("what which when where who whom how in on into of from by tell name give do does did can "
             "could is was are the a an i'd i'm describe count find compute calculate solve work "
             "expand spell please birthday birthplace capital continent year founding short".split())


def lower_first(s):
    w = s.split(" ", 1)[0].lower().rstrip(",:?")
    if w not in _LOWER or w in ("i'd", "i'm"):
        return s
    return s[0].lower() + s[1:]


def fill(t, name, abbrev=""):
    return t.format(n=name, N=cap(name), a=abbrev)


def wrap(q, rng, heldout, p_plain=0.5):
    """q inside a wrapper of the given split (plain q with probability p_plain)."""
    if rng.random() < p_plain:
        return q
    tr, he = _split(WRAPPERS[1:])
    w = rng.choice(he if heldout else tr)
    return w.format(q=q, ql=lower_first(q))


def name_forms(e, kind, rng):
    """How a question names the entity: mostly the full name; for people now
    and then the surname alone, as people ask ("When was Einstein born?")."""
    n = e["name"]
    if kind == "person" and " " in n and rng.random() < 0.2:
        return n.split()[-1]
    return n
