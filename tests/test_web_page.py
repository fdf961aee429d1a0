"""The web chat page in a real browser: headless Chromium from Debian, driven by
Selenium, talking to the real Rasa server through socket.io.

Answers are checked against what the REST channel says to the same messages
(the socket.io channel splits a text at blank lines, as Rasa does). Screenshots
go to test-results/ at the project root.
"""

import tempfile
import uuid
from typing import Callable, Dict, List

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from bot.channels.identity import WEB, SessionIds, conversation_key
from bot.channels.replies import IF_URGENT
from bot.runtime import launcher, page_server
from bot.runtime.launcher import PROJECT_ROOT, free_port
from bot.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
RESULTS = PROJECT_ROOT / "test-results"
AXE = page_server.WEB_DIR / "node_modules" / "axe-core" / "axe.min.js"
REPLY_TIMEOUT = 60  # s; a bound on waiting, never an assertion about speed

# The messages on the page as [{"from", "text", "buttons"}], without the
# screen-reader-only speaker names.
READ_MESSAGES = """
return [...document.querySelectorAll('.alk-chat__message')].map((message) => {
  const text = message.querySelector('.alk-chat__text').cloneNode(true);
  text.querySelectorAll('.alk-chat__visually-hidden').forEach((hidden) => hidden.remove());
  return {
    from: message.classList.contains('alk-chat__message--bot') ? 'bot' : 'user',
    text: text.textContent,
    buttons: [...message.querySelectorAll('button')].map((button) => button.textContent),
  };
});
"""

# Records whether the typing indicator ever said so, however briefly.
WATCH_TYPING = """
window.__alkTypingSeen = false;
const typing = document.querySelector('.alk-chat__typing');
new MutationObserver(() => {
  if (typing.textContent.includes('is typing')) window.__alkTypingSeen = true;
}).observe(typing, {childList: true, characterData: true, subtree: true});
"""


def as_socketio_messages(rest_replies: List[dict]) -> List[Dict]:
    """What the page shows for the REST channel's replies: socket.io sends a
    text in parts split at blank lines, with the buttons on the last."""
    messages: List[Dict] = []
    for reply in rest_replies:
        parts = reply["text"].strip().split("\n\n")
        messages += [{"from": "bot", "text": part, "buttons": []} for part in parts]
        messages[-1]["buttons"] = [button["title"] for button in reply.get("buttons", [])]
    return messages


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1024,900",
        f"--user-data-dir={tempfile.mkdtemp(prefix='alk-chromium-')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager never downloads anything.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    RESULTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


class ChatPage:
    """The chat page open in the browser, as a person uses it."""

    def __init__(self, driver: webdriver.Chrome, url: str) -> None:
        self.driver = driver
        self.url = url

    def open_fresh(self) -> "ChatPage":
        """Opens the page with this tab's stored conversation forgotten (cleared
        from another page of the same origin: a live chat would save it again)."""
        self.driver.get(self.url + "alk-chat.css")
        self.driver.execute_script("sessionStorage.clear()")
        self.driver.get(self.url)
        return self

    def messages(self) -> List[Dict]:
        return self.driver.execute_script(READ_MESSAGES)

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        try:
            WebDriverWait(self.driver, REPLY_TIMEOUT).until(lambda _: condition())
        except TimeoutException:
            raise AssertionError(f"{what}; the page shows:\n{self.messages()}") from None

    def wait_for_messages(self, expected: List[Dict], after: int) -> None:
        """Waits until the messages from index `after` on are `expected`."""
        self.wait_for(lambda: self.messages()[after:] == expected, f"expected {expected}")

    def active(self, script: str):
        return self.driver.execute_script(f"const e = document.activeElement; return {script};")

    def press(self, *keys: str) -> None:
        ActionChains(self.driver).send_keys(*keys).perform()

    def tab_until(self, script: str, *, backwards: bool = False, limit: int = 60) -> None:
        """Presses Tab (or Shift+Tab) until the focused element satisfies `script`."""
        for _ in range(limit):
            if backwards:
                ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(
                    Keys.SHIFT
                ).perform()
            else:
                self.press(Keys.TAB)
            if self.active(script):
                return
        raise AssertionError(f"Tab never reached an element where {script}")

    def type_and_send(self, text: str) -> None:
        """Keyboard only: Tab to the labelled input, type, Enter."""
        self.tab_until("e.matches('.alk-chat__input')")
        assert self.active("e.labels[0].textContent") == "Your question"
        self.press(text, Keys.ENTER)

    def session_id(self) -> str:
        return self.driver.execute_script(
            "return JSON.parse(sessionStorage.getItem(arguments[0])).sessionId",
            f"alk-chat:{self.server_url()}",
        )

    def server_url(self) -> str:
        return self.driver.execute_script(
            "return document.querySelector('script[data-server-url]').dataset.serverUrl"
        )

    def screenshot(self, name: str) -> None:
        self.driver.save_screenshot(str(RESULTS / f"{name}.png"))


class RestTwin:
    """The same conversation through the REST channel, as one new person who,
    like the page, starts with the greeting."""

    def __init__(self, servers: launcher.Stack) -> None:
        self.webhook = f"{servers.rasa.url}/webhooks/rest/webhook"
        self.sender = f"web-twin-{uuid.uuid4()}"
        self.greeting = self.say("/greet")

    def say(self, message: str) -> List[dict]:
        response = requests.post(
            self.webhook, json={"sender": self.sender, "message": message}, timeout=60
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture()
def page(browser, servers) -> ChatPage:
    chat = ChatPage(browser, f"{servers.web.url}/").open_fresh()
    chat.wait_for_messages(as_socketio_messages(RestTwin(servers).greeting), after=0)
    return chat


def test_keyboard_only_a_question_gets_the_grounded_answer_and_a_button_its_own(page, servers):
    twin = RestTwin(servers)
    question = "what does the FISH test look for?"
    replies = twin.say(question)
    answer = as_socketio_messages(replies)
    assert any("FISH" in message["text"] for message in answer)  # the twin answered it

    page.driver.execute_script(WATCH_TYPING)
    shown = len(page.messages())
    page.type_and_send(question)
    page.wait_for_messages(
        [{"from": "user", "text": question, "buttons": []}] + answer, after=shown
    )
    assert page.driver.execute_script("return window.__alkTypingSeen") is True
    assert (
        page.driver.find_element(By.CSS_SELECTOR, ".alk-chat__typing").get_attribute("role")
        == "status"
    )

    # Back from the input (Shift+Tab) to the answer's first suggestion; Space presses it.
    suggestion = answer[-1]["buttons"][0]
    page.tab_until(f"e.tagName === 'BUTTON' && e.textContent === {suggestion!r}", backwards=True)
    shown = len(page.messages())
    page.press(Keys.SPACE)
    payload = next(
        button["payload"] for button in replies[-1]["buttons"] if button["title"] == suggestion
    )
    page.wait_for_messages(
        [{"from": "user", "text": suggestion, "buttons": []}]
        + as_socketio_messages(twin.say(payload)),
        after=shown,
    )
    page.screenshot("web-chat-answer")
    blocked = [
        entry["message"]
        for entry in page.driver.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]
    assert blocked == []  # the page works within its own policy


def test_the_conversation_survives_a_reload_and_carries_on_in_rasa(page, servers):
    first, follow_up = "does xalkori give you the runs?", "how often is it severe?"
    twin = RestTwin(servers)
    shown = len(page.messages())
    page.type_and_send(first)
    page.wait_for_messages(
        [{"from": "user", "text": first, "buttons": []}] + as_socketio_messages(twin.say(first)),
        after=shown,
    )
    before = page.messages()
    session_id = page.session_id()

    page.driver.refresh()
    assert page.messages() == before
    assert page.session_id() == session_id

    # The follow-up is only understood in the same Rasa conversation: on its own
    # it gets another answer.
    in_context = as_socketio_messages(twin.say(follow_up))
    assert in_context != as_socketio_messages(RestTwin(servers).say(follow_up))
    page.type_and_send(follow_up)
    page.wait_for_messages(
        [{"from": "user", "text": follow_up, "buttons": []}] + in_context, after=len(before)
    )
    session = SessionIds(servers.settings.session_secret).verified(session_id)
    tracker = requests.get(
        f"{servers.rasa.url}/conversations/{conversation_key(WEB, session)}/tracker",
        params={"token": servers.settings.api_token},
        timeout=30,
    ).json()
    said = [event["text"] for event in tracker["events"] if event["event"] == "user"]
    assert said[-2:] == [first, follow_up]
    page.screenshot("web-chat-after-reload")


def test_a_script_typed_by_a_person_is_shown_as_text_and_never_runs(page):
    attack = '<script>window.__alkPwned=1</script><img src=x onerror="window.__alkPwned=2">'
    shown = len(page.messages())
    page.type_and_send(attack)
    # The reply shows the message went through the page and the server.
    page.wait_for(lambda: len(page.messages()) > shown + 1, "no reply to the script")
    assert page.messages()[shown] == {"from": "user", "text": attack, "buttons": []}
    assert page.driver.execute_script("return window.__alkPwned") is None
    log = page.driver.find_element(By.CSS_SELECTOR, ".alk-chat__log")
    assert log.find_elements(By.TAG_NAME, "script") == []
    assert log.find_elements(By.TAG_NAME, "img") == []


def test_at_phone_width_nothing_scrolls_sideways_and_axe_finds_no_serious_problem(page):
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {
            "width": 375,
            "height": 740,
            "deviceScaleFactor": 2,
            "mobile": True,
        },
    )
    try:
        # A long word and a long link must wrap, not widen the page.
        shown = len(page.messages())
        page.type_and_send("x" * 120 + " https://example.org/" + "a" * 120)
        page.wait_for(lambda: len(page.messages()) > shown + 1, "no reply to the long message")
        assert page.driver.execute_script("return window.innerWidth") == 375
        assert page.driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        ), "the page scrolls sideways at 375 px"
        page.screenshot("web-chat-phone")

        page.driver.execute_script(AXE.read_text(encoding="utf-8"))
        results = page.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then((r) => done(r.violations), (e) => done(String(e)));"
        )
    finally:
        page.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert isinstance(results, list), results
    for violation in results:
        print(
            f"axe: {violation['impact']}: {violation['id']}: {violation['help']} "
            f"({len(violation['nodes'])} elements)"
        )
    serious = [v["id"] for v in results if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_unreadable_clinic_colours_fall_back_to_readable_ones(page):
    colours = page.driver.execute_script(
        """
        const root = document.createElement('div');
        document.body.append(root);
        AlkChat.mount(root,
                      {serverUrl: arguments[0], primaryColour: '#ffff00', greetingPayload: ''});
        const readable = document.createElement('div');
        document.body.append(readable);
        AlkChat.mount(readable,
                      {serverUrl: arguments[0], primaryColour: '#5b2a86', greetingPayload: ''});
        const colour = (el) =>
            el.querySelector('.alk-chat').style.getPropertyValue('--alk-primary');
        return [colour(root), colour(readable)];
    """,
        page.server_url(),
    )
    assert colours == ["#0b5563", "#5b2a86"]  # yellow on white fails WCAG AA; purple passes
    warnings = [entry["message"] for entry in page.driver.get_log("browser")]
    assert any("#ffff00" in message and "contrast" in message for message in warnings)


@pytest.fixture()
def page_without_rasa(browser, tmp_path):
    """The page served with a hostile title, pointing at a port nothing listens on."""
    title = '</script><script>window.__alkPwned=3</script>"Clinic" & co'
    server = launcher.start_web_server(
        free_port(), f"http://localhost:{free_port()}", tmp_path, Settings(web_title=title)
    )
    try:
        server.wait_until_ready(timeout=60)
        yield ChatPage(browser, f"{server.url}/").open_fresh(), title
    finally:
        server.stop()


def test_a_server_that_cannot_be_reached_gets_a_clear_message_and_the_title_stays_text(
    page_without_rasa,
):
    page, title = page_without_rasa
    notice = page.driver.find_element(By.CSS_SELECTOR, ".alk-chat__notice")
    page.wait_for(lambda: IF_URGENT in notice.text, "no notice that the server is unreachable")
    assert "cannot be reached" in notice.text and notice.get_attribute("role") == "alert"
    assert page.driver.find_element(By.CSS_SELECTOR, ".alk-chat__title").text == title
    assert page.driver.title == title
    assert page.driver.execute_script("return window.__alkPwned") is None
    page.screenshot("web-chat-unreachable")
