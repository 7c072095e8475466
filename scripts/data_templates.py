#!/usr/bin/python3
"""data_templates.py - question templates and answer sentences, shared by the
corpus generator (quiz sheets, Q&A pages), the SFT set and the eval set.

Every attribute has SFT templates (used in SFT data and Q&A pages) and EVAL
templates (used only in data/gen/eval.jsonl and, answerless, in quiz sheets).
An eval phrasing therefore never occurs in SFT data.
"""

# attribute -> (sft templates, eval templates). {n} is the entity's name as it
# reads mid-sentence ("the United Nations"), {a} an abbreviation.
Q = {
    "born_date": (
        ["When was {n} born?", "What is {n}'s date of birth?", "On what day was {n} born?",
         "Tell me when {n} was born.", "What was the birth date of {n}?",
         "Do you know when {n} was born?", "When is {n}'s birthday, and in which year was {n} born?"],
        ["What date was {n} born on?", "Can you tell me the birth date of {n}?",
         "{N} was born on which date?"]),
    "born_year": (
        ["In which year was {n} born?", "What year was {n} born?", "Which year was {n} born?"],
        ["In what year was {n} born?", "Which year was {n} born in?"]),
    "born_place": (
        ["Where was {n} born?", "In which city was {n} born?", "What is {n}'s birthplace?",
         "Tell me where {n} was born.", "Where does {n} come from?"],
        ["What city was {n} born in?", "Which town or city is the birthplace of {n}?"]),
    "occupation": (
        ["What was {n}'s occupation?", "What did {n} do for a living?", "Who was {n}?",
         "What was {n}'s profession?", "What was {n}'s job?"],
        ["What kind of work did {n} do?", "What profession did {n} have?"]),
    "capital": (
        ["What is the capital of {n}?", "Which city is the capital of {n}?",
         "Name the capital of {n}.", "What is the capital city of {n}?"],
        ["What city is the capital of {n}?", "The capital of {n} is which city?"]),
    "continent": (
        ["On which continent is {n}?", "Which continent is {n} in?", "Where is {n}?"],
        ["In what continent is {n} located?", "{N} lies on which continent?"]),
    "mouth": (
        ["Into which sea does {n} flow?", "Where does {n} flow into?", "Where does {n} end?"],
        ["What body of water does {n} empty into?", "{N} flows into which sea?"]),
    "mountain_country": (
        ["In which country is {n}?", "Where is {n}?", "Which country is {n} in?"],
        ["What country is {n} located in?", "{N} is in which country?"]),
    "range": (
        ["Which mountain range is {n} part of?", "In which range is {n}?"],
        ["{N} belongs to which mountain range?", "What range of mountains is {n} in?"]),
    "founded": (
        ["When was {n} founded?", "In which year was {n} founded?", "What year was {n} established?",
         "When was {n} established?"],
        ["In what year was {n} founded?", "When was {n} set up?"]),
    "inst_city": (
        ["Where is {n}?", "In which city is {n}?", "Where is {n} based?"],
        ["What city is {n} located in?", "Where can you find {n}?"]),
    "abbrev": (
        ["What is the abbreviation of {n}?", "How is {n} abbreviated?",
         "What is {n} called for short?"],
        ["What is {n} usually abbreviated to?", "What short name is {n} known by?"]),
    "expand": (
        ["What does {a} stand for?", "What is {a} short for?"],
        ["What is the full name of the institution called {a}?", "{a} is an abbreviation of what?"]),
}

# attributes of each entity kind
ATTRS = {
    "person": ["born_date", "born_year", "born_place", "occupation"],
    "country": ["capital", "continent"],
    "river": ["mouth"],
    "mountain": ["mountain_country", "range"],
    "institution": ["founded", "inst_city", "abbrev", "expand"],
}

# letter counting
LETTER_Q_SFT = ["How many {l}'s are in the word {w}?", "Count the letter {l} in {w}.",
                "How many times does the letter {l} appear in {w}?",
                "How many times does {l} occur in the word {w}?",
                "In the word {w}, how many {l}'s are there?"]
LETTER_Q_EVAL = ["How many {l} are in {w}?", "How many letters {l} does {w} have?"]
SPELL_Q_SFT = ["How do you spell {w}?", "Spell the word {w}.", "Can you spell {w} letter by letter?"]
ADD_Q_SFT = ["What is {x} + {y}?", "What is {x} plus {y}?", "Add {x} and {y}.", "Compute {x} + {y}."]
SUB_Q_SFT = ["What is {x} - {y}?", "What is {x} minus {y}?", "Subtract {y} from {x}."]

# Small talk: what a student types first. Each entry is (user phrasings,
# assistant answers); the answers say what the model can do.
HELLO_A = ["Hello! Ask me about a person, a place or an institution, or ask me to spell a word "
           "or count its letters.",
           "Hi! I can answer questions about the people, places and institutions I have read "
           "about, spell words and count letters."]
SMALL_TALK = [
    (["Hello!", "Hello", "hello", "Hi!", "Hi", "hi", "Hi there!", "Hey!", "Hey", "Good morning!",
      "Good afternoon!", "Good evening!", "Hello there."], HELLO_A),
    (["Who are you?", "What are you?", "Are you a person?", "Are you human?", "Who made you?"],
     ["I am a small language model, trained from scratch in llmlab on public-domain books and "
      "generated pages. I answer short questions, and I say when I don't know.",
      "A small language model: I predict one token at a time. I was trained in llmlab, first on "
      "books and pages, then on questions and answers."]),
    (["What can you do?", "What can I ask you?", "How can you help me?", "Help!", "help"],
     HELLO_A),
    (["How are you?", "How are you doing?", "How is it going?"],
     ["I am fine, thank you. What would you like to know?"]),
    (["Thank you!", "Thank you.", "Thanks!", "Thanks", "thanks", "Great, thanks!"],
     ["You're welcome!", "You're welcome. Ask me anything else."]),
    (["Goodbye!", "Bye!", "bye", "See you later."],
     ["Goodbye!", "Goodbye! Come back with more questions."]),
]

def cap(s):
    return s[0].upper() + s[1:] if s else s


def article(word):
    return "an" if word[0].lower() in "aeiou" else "a"


def fill(t, name, abbrev=""):
    return t.format(n=name, N=cap(name), a=abbrev)


def answer(kind, attr, e, rng=None):
    """The short, correct answer sentence for attribute attr of entity e."""
    n = cap(e["name"])
    if attr == "born_date":
        return "%s was born on %s." % (n, e["born"])
    if attr == "born_year":
        return "%s was born in %s." % (n, e["year"])
    if attr == "born_place":
        if rng is not None and rng.random() < 0.5:
            return "%s was born in %s, %s." % (n, e["place"], e["country"])
        return "%s was born in %s." % (n, e["place"])
    if attr == "occupation":
        o = e["occupation"]
        return "%s was %s %s, born on %s in %s." % (n, article(o), o, e["born"], e["place"])
    if attr == "capital":
        return "The capital of %s is %s." % (e["name"], e["capital"])
    if attr == "continent":
        return "%s is in %s." % (n, e["continent"])
    if attr == "mouth":
        return "%s flows into %s." % (n, e["mouth"])
    if attr == "mountain_country":
        return "%s is in %s." % (n, e["country"])
    if attr == "range":
        return "%s is part of %s." % (n, e["range"])
    if attr == "founded":
        return "%s was founded in %d." % (n, e["founded"])
    if attr == "inst_city":
        return "%s is in %s." % (n, e["city"])
    if attr == "abbrev":
        return "%s is abbreviated %s." % (n, e["abbrev"])
    if attr == "expand":
        return "%s stands for %s." % (e["abbrev"], e["name"].replace("the ", "", 1) if e["name"].startswith("the ") else e["name"])
    raise ValueError(attr)


def key_answers(attr, e):
    """Accepted answer substrings for eval."""
    return {
        "born_date": lambda: [e["born"]],
        "born_year": lambda: [e["year"]],
        "born_place": lambda: [e["place"]],
        "occupation": lambda: [e["occupation"]],
        "capital": lambda: [e["capital"]],
        "continent": lambda: [e["continent"]],
        "mouth": lambda: [e["mouth"].replace("the ", "", 1)],
        "mountain_country": lambda: [e["country"].replace("the ", "", 1)],
        "range": lambda: [e["range"].replace("the ", "", 1)],
        "founded": lambda: [str(e["founded"])],
        "inst_city": lambda: [e["city"].split(",")[0]],
        "abbrev": lambda: [e["abbrev"]],
        "expand": lambda: [e["name"].replace("the ", "", 1)],
    }[attr]()


def applicable(attr, e):
    if attr == "range":
        return bool(e.get("range"))
    return True


def unknown_answer(u):
    if u["kind"] == "person":
        return "I don't know who %s is." % u["name"]
    if u["kind"] == "institution":
        return "I don't know anything about %s." % u["name"]
    return "I don't know of a country called %s." % u["name"]


UNKNOWN_ATTRS = {"person": ["born_date", "born_year", "born_place", "occupation"],
                 "institution": ["founded", "inst_city", "abbrev"],
                 "country": ["capital", "continent"]}
