"""The nurse tools in conversation, through the running servers: a medication
list, then a handout, in two messages; the evidence behind an answer; the
counselling checklist. Expected replies come from the same plain Python the
actions call, so each is the knowledge in content/, not a copy of it."""

import io
import re

import requests
from pypdf import PdfReader

from bot.knowledge.clinic import load_clinic
from bot.knowledge.evidence import checklist, evidence
from bot.knowledge.question import NURSE, PATIENT, Question
from bot.nlp.vocabulary import load_vocabulary
from bot.nurse.handout.composition import load_composition
from bot.nurse.medications import check_medications, report
from bot.safety.rules import red_flag_labels
from tests.test_conversation import KNOWLEDGE, answer_to

MEDICATION_LIST = "clarithromycin 500mg bd, omeprazole, grapefruit juice, St John's Wort"
HANDOUT = load_composition()
LINK = re.compile(r"https?://\S+")


def test_a_medication_list_then_a_handout_in_two_messages(say):
    checked = answer_to(say, f"check my meds please: {MEDICATION_LIST}")["text"]
    expected = check_medications(
        f"check my meds please: {MEDICATION_LIST}", KNOWLEDGE, load_vocabulary()
    )
    assert checked == report(expected, PATIENT, KNOWLEDGE)
    assert [item.name for item in expected.items] == [
        "clarithromycin",
        "omeprazole",
        "grapefruit",
        "st johns wort",
    ]

    offer = answer_to(say, "now make me a handout about side effects and interactions")["text"]
    pdf_link, html_link = LINK.findall(offer)
    assert "topics=side_effects%2Cinteractions" in pdf_link
    pdf = requests.get(pdf_link, timeout=120)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    headings = {section.get("topic"): section["heading"] for section in HANDOUT["sections"]}
    assert headings["side_effects"] in text and headings["interactions"] in text
    assert headings["crizotinib"] not in text  # a topic not asked for
    page = requests.get(html_link, timeout=120)
    assert page.status_code == 200 and headings["side_effects"] in page.text
    assert "script-src" not in page.headers["Content-Security-Policy"]


def test_a_handout_with_a_topic_it_does_not_have_is_refused(servers):
    response = requests.get(f"{servers.web.url}/handout.pdf?topics=astrology", timeout=60)
    assert response.status_code == 400 and "unknown topics" in response.text


def test_evidence_shows_the_trial_figures_and_where_in_the_review(say):
    assert answer_to(say, "show evidence")["text"] == KNOWLEDGE.messages["evidence"]["nothing_yet"]
    answer_to(say, '/ask_crizotinib{"card":"what_crizotinib_does"}')
    shown = answer_to(say, "which trial is that from, and the hazard ratio?")["text"]
    asked = Question("ask_crizotinib", card_id="what_crizotinib_does", audience=PATIENT)
    assert shown == evidence(asked, KNOWLEDGE).text
    assert "HR =0.45" in shown and "PROFILE-1014" in shown


def test_in_the_nurse_view_every_answer_offers_its_evidence(say):
    say("I'm a nurse")
    reply = answer_to(say, "how common is diarrhea with crizotinib?")
    assert reply["buttons"][-1] == {
        "title": KNOWLEDGE.messages["evidence"]["button"],
        "payload": "/show_evidence",
    }
    shown = answer_to(say, "/show_evidence")["text"]
    asked = Question("ask_how_often", entities={"side_effect": ["diarrhea"]}, audience=NURSE)
    assert shown == evidence(asked, KNOWLEDGE).text


def test_the_counselling_checklist_names_the_clinics_numbers(say, servers):
    shown = answer_to(say, "give me a counselling checklist for starting crizotinib")["text"]
    clinic = load_clinic(servers.settings).as_dict()
    assert shown == checklist(KNOWLEDGE, red_flag_labels(), clinic)
