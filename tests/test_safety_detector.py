"""The red-flag detector on its own: every emergency found, no calm question flagged.

The same sets run through the servers in test_safety_conversation.py; here a
miss names the message and the category at once.
"""

from pathlib import Path

import pytest
import yaml

from bot.safety.detector import PatternError, SafetyDetector, compile_pattern, load_detector

TESTS = Path(__file__).parent
RED_FLAGS = yaml.safe_load((TESTS / "safety_red_flags.yml").read_text(encoding="utf-8"))
CALM = yaml.safe_load((TESTS / "safety_calm.yml").read_text(encoding="utf-8"))["calm"]
DETECTOR = load_detector()


def red_flag_messages():
    for category, messages in RED_FLAGS["red_flags"].items():
        for message in messages:
            yield category, message


@pytest.mark.parametrize("category, message", list(red_flag_messages()))
def test_every_emergency_is_flagged(category, message):
    flags = DETECTOR.red_flags(message)
    assert any(not flag.crisis for flag in flags), f"{category} missed: {message}"


@pytest.mark.parametrize("message", RED_FLAGS["crisis"])
def test_every_crisis_is_flagged_as_crisis(message):
    assert any(flag.crisis for flag in DETECTOR.red_flags(message)), message


@pytest.mark.parametrize("conversation", RED_FLAGS["mid_conversation"], ids=str)
def test_an_emergency_after_ordinary_questions_is_flagged_and_only_then(conversation):
    *before, emergency = conversation
    assert [message for message in before if DETECTOR.red_flags(message)] == []
    assert DETECTOR.red_flags(emergency)


@pytest.mark.parametrize("message", CALM)
def test_a_calm_question_about_the_same_conditions_is_not_flagged(message):
    assert DETECTOR.red_flags(message) == [], message


def test_a_question_turns_into_a_red_flag_as_soon_as_it_is_happening_to_someone():
    assert DETECTOR.red_flags("what does chest pain on crizotinib mean?") == []
    [flag] = DETECTOR.red_flags("what does it mean, I have chest pain")
    assert flag.category == "chest_pain" and flag.words == "chest pain"


def test_a_run_on_message_is_flagged_wherever_the_emergency_is():
    message = (
        "thanks for the info about grapefruit. what is pneumonitis? also my lips "
        "have swollen up since lunch and then i wanted to ask about the ALEX trial"
    )
    assert [flag.category for flag in DETECTOR.red_flags(message)] == ["allergy"]


def test_patterns_read_contractions_and_typos_the_same_way():
    for message in ("I can't breathe", "i cant breath", "I cannot breathe", "cant brethe"):
        assert [flag.category for flag in DETECTOR.red_flags(message)] == ["breathing"], message


def test_a_pattern_spacy_would_split_is_refused_with_the_reason():
    with pytest.raises(PatternError, match="2 words to spaCy"):
        compile_pattern("won't stop", DETECTOR.nlp)
    rules = {
        "informational": {"question_cues": [], "personal_cues": []},
        "categories": {"x": {"label": "x", "patterns": ["self-harm"]}},
    }
    with pytest.raises(PatternError, match="x: 'self-harm'"):
        SafetyDetector(rules)


def categories(message):
    return [flag.category for flag in DETECTOR.red_flags(message)]


@pytest.mark.parametrize(
    "message",
    [
        "Slight dizziness on standing, never fallen or blacked out.",
        "I'd never hurt myself, I just need someone to talk to.",
        "I'm sick of hospitals.",
        "I'm worried sick about the scan.",
        "my hay fever is bad this year",
        "That hold music nearly gave me a heart attack.",
        "The insurance company is bleeding us dry.",
        "short of breath on hills and stairs, no change since my last appointment",
        "Mum gets breathless on the stairs, no different from usual, she's fine sitting down.",
        "threw up once last night, been fine all day today",
        "nausea again today but ate some toast and it settled",
        "what's the advice if a patient ever doubles a dose by mistake?",
        "What temperature counts as a fever for someone on cancer treatment?",
        "Do I take it with food or on an empty stomach?",
        "what would happen if I took my dose twice by accident? I haven't, just asking",
        "If my grandson ever swallowed one of my capsules what would happen?",
        "I'm bleeding money on parking at the hospital",
        "the waiting room was so dull I nearly passed out from boredom",
        "I took my second dose 12 hours later as usual",
        "I took my crizotinib and vitamin D together with breakfast",
        "I was out for a while at the shops, then my neutrophils just dropped again",
        "I've decided to have an early night tonight",
        "I had 2 more appointments this week",
        "I've laid out my tablets in the organiser for the week",
        "the kids have gone crazy since christmas",
        "I won't be around for long today, I'm off to work",
        "it's getting harder to breathe on the stairs, fine sitting down",
        "there's a faint line on the test strip",
        "I felt faint-ish getting out of the bath",
        "Election fever at work, nobody talks about anything else",
        "she thought she was having a stroke but it was only the light trails at dusk",
        "temp was 36.9 under the arm this morning",
        "down to 39.5 kg since the nausea started",
        "My dad (41) vomited once after lunch and is fine now",
        "I'd rather not go on antidepressants as well",
        "does she need the yellow fever jab before the trip?",
        "he took up swimming again last month",
        "puffy face and ankles in the mornings, goes down by lunch",
        "she's had an irregular heartbeat for years, well controlled",
        "still out of puff on the stairs, same as before",
        "My sister is having a fit about me flying to Spain",
        "i'm burning up with curiosity about the newest ALK drug",
        "choking on the price of petrol driving to the hospital",
        "Worst headache of a form I've ever had to fill in for the benefits office",
        "she has had fits since she was a child, they are well controlled",
        "had a fit of the giggles at the oncologist's",
        "wee bit breathless on hills since I started but at rest I'm grand",
        "more breathless than before on longer walks but ok at rest",
        "everything is blurry for a sec when my eyes adjust to the dark, then it clears",
        "In general, what should a carer do if the person they look after has a fit?",
        "my brother threw a fit over the parking fee at the clinic",
        "the crowd was at fever pitch for the final",
        "passed out on the couch after lunch, best nap in weeks",
        "my teeth are sore since the dentist, can I take paracetamol with xalkori",
    ],
)
def test_ordinary_words_negations_and_exertion_are_not_red_flags(message):
    assert categories(message) == [], message


@pytest.mark.parametrize(
    "message, category",
    [
        ("temp 38.9 is that bad?", "fever"),
        ("thermometer says 102.5F", "fever"),
        ("39 degrees, is that a fever?", "fever"),
        ("heart rate 150 at rest", "heartbeat"),
        ("my watch says my pulse has been 38 all evening", "heartbeat"),
        ("sats 84% on my oximeter", "breathing"),
        ("12 watery stools today, is that too many?", "dehydration"),
        ("I think I took my evening dose twice, is that ok?", "overdose"),
        ("what happens if my dad took 4 capsules?", "overdose"),
        ("double dosed today, is that going to hurt me?", "overdose"),
        ("Can brain mets cause seizures? I had one about 20 minutes ago.", "seizure"),
        ("can crizotinib cause fever? mine is 39.2 tonight", "fever"),
        ("I can't stop coughing up blood", "bleeding"),
        ("breathless at rest now, it used to be only on the stairs", "breathing"),
        ("38.9 on the ear thermometer and shivering", "fever"),
        ("pt had a tonic-clonic seizure, now post-ictal", "seizure"),
        ("pt with new L sided weakness and dysphasia", "stroke"),
        ("pt lip angioedema and stridor after first dose", "allergy"),
        ("did I just double dose? took one and then another one ten minutes later", "overdose"),
        ("40.1 under her tongue", "fever"),
        ("checked him again, 38.7 and shivery", "fever"),
        ("pt BO x8 since midnight", "dehydration"),
        ("vomited x6 today", "dehydration"),
        ("the swelling was the usual kind, but now I wake up gasping", "breathing"),
        ("is it bad if I took 3 caps together? feel odd now", "overdose"),
        ("took 14 paracetamol since this morning for the pain", "overdose"),
        ("lost 4kg in 3 days with the diarrhoea and feel faint", "dehydration"),
        ("why cant i get my breath even sitting down?", "breathing"),
        ("my sight has gone patchy, like I lost the vision in one eye", "vision_loss"),
        (
            "the trails were normal but now I've lost most of the vision in my left eye",
            "vision_loss",
        ),
        ("Do people have fits on crizotinib? I just had one 10 mins ago", "seizure"),
        ("took my pills at 8 and then again at 9 because I forgot", "overdose"),
        ("dad took the whole week's pill organiser in one go", "overdose"),
        ("my breathing is so much worse, even rolling over leaves me panting", "breathing"),
        (
            "trails were fine for months, tonight my sight went blurry in one eye and it's staying",
            "vision_loss",
        ),
        ("the runs are every half hour now and I'm dizzy and my mouth is dry", "dehydration"),
        ("38.1 and then 38.3 an hour later, my neutrophils were 0.8 on monday", "fever"),
        ("what happens if you take 2 capsules at once? I think I just did", "overdose"),
        ("dad swallowed a handful of his medication by mistake", "overdose"),
        ("pretty sure i took it twice this morning, is that bad", "overdose"),
        ("teeth chattering and I can't get warm under two duvets", "fever"),
    ],
)
def test_events_readings_and_now_are_red_flags_even_in_a_question(message, category):
    assert category in categories(message), message


def test_a_supposed_case_does_not_hide_a_person_saying_it_is_happening():
    assert categories("what should I do if I get chest pain?") == []
    assert categories("what signs mean a heart attack, my chest really hurts") == ["chest_pain"]
    assert categories("should I call 911 if my chest hurts this much?") == ["chest_pain"]
    assert categories("I have all the symptoms of dehydration, can't keep water down") == [
        "dehydration"
    ]


def test_a_supposed_case_stays_supposed_and_a_told_one_is_told():
    # "ever" supposes, whatever else the message says of today.
    assert categories("if my skin ever turned yellow would I know? had bloods today") == []
    # "is it bad if I took..." tells of something done; "would" supposes.
    assert categories("is it bad if I took my evening dose twice?") == ["overdose"]
    assert categories("what would happen if I took my evening dose twice?") == []
    # ...unless it places it today: then it was done.
    assert categories("what would happen if I took my evening dose twice today?") == ["overdose"]
    assert categories("If I double dosed by mistake this morning do I need to do anything?") == [
        "overdose"
    ]
    assert categories("what should I do if I get a fever tonight?") == []
    assert categories("what should I do if I get chest pain? I just did my exercises") == []
    # A question about what a sign means is asked in general, event or not.
    assert categories("what is dark urine a sign of?") == []
    assert categories("my urine is dark, is that the liver?") == ["liver"]


def test_a_general_question_told_back_as_happening_is_a_red_flag():
    assert categories("can xalkori cause chest pain? mines been squeezing for 20 min") == [
        "chest_pain"
    ]
    assert categories("can brain mets cause fits? my husband just had one at dinner") == ["seizure"]
    assert categories("is it normal for your tongue to swell? its getting bigger") == ["allergy"]
    assert categories("can crizotinib make you cough up blood? i just coughed some up") == [
        "bleeding"
    ]
    assert categories("what do I do if I get a fever on it? I have one now") == ["fever"]
    # Told back as history, or with nothing said back, it stays a question.
    assert categories("What should my husband do if I have a fit? I had one before diagnosis") == []
    assert categories("can xalkori cause chest pain? asking for a leaflet") == []


@pytest.mark.parametrize(
    "earlier, reply, expected",
    [
        ("what pulse is too slow on crizotinib?", "36", ["heartbeat"]),
        ("whats normal oxygen on the finger thing", "87", ["breathing"]),
        ("can xalkori cause chest pain?", "yes its happening now", ["chest_pain"]),
        # Settled, past, or a number that is no reading: nothing to escalate.
        ("what are the signs of pneumonitis?", "ok thanks, mine's been fine", []),
        ("how common is chest pain", "mine was last year", []),
        ("what pulse is too slow on crizotinib?", "I'm 39 years old", []),
        ("what is a normal temp", "thanks!", []),
        ("what pulse is too slow on crizotinib?", "ok, my next appointment is on the 30th", []),
        ("what pulse is too slow on crizotinib?", "thanks, clinic is at 10:30 tomorrow", []),
    ],
)
def test_a_reply_leans_on_the_message_before_it(earlier, reply, expected):
    assert [flag.category for flag in DETECTOR.assess(reply, earlier).raised] == expected
    # On its own the reply says nothing urgent.
    assert DETECTOR.assess(reply).raised == ()


def test_who_is_in_danger_is_the_person_named_nearest_before_it():
    [flag] = DETECTOR.red_flags("my sister texted me that she's going to kill herself")
    assert flag.crisis and flag.someone_else
    [flag] = DETECTOR.red_flags("my husband is at work and I can't breathe")
    assert not flag.someone_else


def test_the_pattern_counts_per_category_are_reported(capsys):
    categories = DETECTOR.categories
    counts = {name: len(spec["patterns"]) for name, spec in categories.items()}
    with capsys.disabled():
        print(f"\nred-flag patterns per category: {counts} (total {sum(counts.values())})")
    assert all(counts.values())


def test_no_pattern_is_cut_short_by_a_yaml_comment():
    # In YAML, " #" unquoted starts a comment: "lost # kg" would silently
    # become "lost". Patterns with a number slot must be quoted.
    text = (Path(__file__).parents[1] / "content" / "safety.yml").read_text(encoding="utf-8")
    cut = [
        line.strip()
        for line in text.splitlines()
        if line.lstrip().startswith("- ") and line.lstrip()[2:3] not in "\"'" and " #" in line
    ]
    assert not cut, cut


@pytest.mark.parametrize(
    "message",
    [
        "took 2 paracetamol for a headache, ok with crizo?",
        "my nan lost her sight in her 70s, so the flashes scare me",
        "my dog ate a bit of chocolate is that bad",
        "breathless when I hoover, ok otherwise",
        "what temperature counts as a fever?",
    ],
)
def test_ordinary_counts_stories_and_chores_are_not_red_flags(message):
    assert categories(message) == [], message


@pytest.mark.parametrize(
    "message, expected",
    [
        ("Last March he collapsed on a train platform and that's how they found it.", []),
        ("He had a seizure two years ago when they found his brain mets.", []),
        ("He had a seizure two years ago and had another one just now.", ["seizure"]),
        ("Since last March he has been coughing up blood.", ["bleeding"]),
        # Told in the present tense beside the date: it is happening now.
        ("the crushing chest pain he had last year is back", ["chest_pain"]),
        ("At diagnosis he had a seizure and he is having another one", ["seizure"]),
        # A crisis told as history is still answered as a crisis.
        ("Last year I wanted to end my life.", ["crisis"]),
        # A now that says it is over does not bring it back.
        ("Last spring her face swelled up and she ended up in A&E, all fine now.", []),
        ("Last spring her face swelled up and it is swelling again now.", ["allergy"]),
        # A present far off in a story's long sentence is about something else.
        (
            "Last year he coughed up blood once and we spent the night in A&E, that's how it"
            " all started, and every time he clears his throat I'm back in that cubicle.",
            [],
        ),
        ("In June he had a fit which turned out to be a brain met, now treated.", []),
        ("One night he was dizzy and it turned out he was just dehydrated from a bug.", []),
        ("He had a fit last month and he just had another one.", ["seizure"]),
    ],
)
def test_an_emergency_placed_in_the_past_is_history_unless_it_is_also_now(message, expected):
    assert categories(message) == expected, message


@pytest.mark.parametrize(
    "message, expected",
    [
        ("out of breath on the stairs but sitting down I'm totally fine", []),
        ("out of breath on the stairs and sitting down I'm not fine", ["breathing"]),
    ],
)
def test_an_urgent_word_said_to_be_fine_just_after_is_not_urgent(message, expected):
    assert categories(message) == expected, message


@pytest.mark.parametrize(
    "message",
    [
        "they would all be better off if i were dead",
        "this is goodbye everyone, thank you",
        "goodbye, I love you all so much",
        "it would be easier for everybody if i just wasn't around",
    ],
)
def test_being_better_off_dead_or_a_goodbye_is_a_crisis(message):
    assert categories(message) == ["crisis"], message
