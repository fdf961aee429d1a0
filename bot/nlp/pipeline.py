"""ALK Companion's own spaCy pipeline, built from the entity vocabulary.

No pretrained English model can be downloaded where the assistant runs, and
Rasa 3.6 needs spaCy < 3.5, so the pipeline is made from data: spaCy's blank
English tokenizer, the lookup lemmatizer (tables from spacy-lookups-data, so
"swollen" and "swelling" share a lemma) and an entity ruler whose patterns come
from `data/nlu/vocabulary.yml`. Rasa's SpacyNLP loads it from PIPELINE_PATH.

Run `python -m bot.nlp.pipeline` (or `make pipeline`) to rebuild it.
"""

import argparse
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union, cast

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokenizer import Tokenizer

from bot.nlp.vocabulary import VOCABULARY_PATH, Terms, load_vocabulary

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# config.yml names this path (relative to the project root) for SpacyNLP.
PIPELINE_PATH = PROJECT_ROOT / "build" / "spacy-alk"


def is_acronym(text: str) -> bool:
    """An acronym (FISH, ALEX) matches only in capitals: "fish" is food."""
    return text.isalpha() and text.isupper() and len(text) > 1


def entity_patterns(vocabulary: Dict[str, Terms], nlp: Language) -> List[dict]:
    """Entity-ruler patterns: case-insensitive phrases, case-sensitive acronyms.

    The pattern id is the canonical value, so `ent.ent_id_` names it.
    """
    patterns = []
    for label, terms in vocabulary.items():
        for canonical, spellings in terms.items():
            for text in spellings:
                pattern: Union[str, List[Dict[str, str]]] = (
                    [{"ORTH": token.text} for token in nlp.make_doc(text)]
                    if is_acronym(text)
                    else text
                )
                patterns.append({"label": label, "pattern": pattern, "id": canonical})
    return patterns


def _split_final_full_stop(nlp: Language) -> None:
    """ "G1202R." at the end of a sentence is the mutation and a full stop;
    spaCy's English rules keep a full stop after a capital and a digit."""
    suffixes = [*(nlp.Defaults.suffixes or ()), r"(?<=[0-9][A-Za-z])\.", r"(?<=[0-9])\."]
    tokenizer = cast(Tokenizer, nlp.tokenizer)
    tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search


def build_pipeline(vocabulary_path: Path = VOCABULARY_PATH) -> Language:
    """Returns a blank English pipeline with lemmatizer and entity ruler."""
    nlp = spacy.blank("en")
    _split_final_full_stop(nlp)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = cast(EntityRuler, nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}))
    # Loads the lemma tables from spacy-lookups-data into the pipeline, so
    # the saved pipeline needs no download at run time.
    nlp.initialize()
    ruler.add_patterns(entity_patterns(load_vocabulary(vocabulary_path), nlp))
    nlp.meta.update(
        name="alk_companion",
        version="1.0.0",
        description="ALK Companion entity vocabulary over spaCy's blank English",
    )
    return nlp


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocabulary", type=Path, default=VOCABULARY_PATH)
    parser.add_argument("--output", type=Path, default=PIPELINE_PATH)
    args = parser.parse_args(argv)

    nlp = build_pipeline(args.vocabulary)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.output)
    ruler = cast(EntityRuler, nlp.get_pipe("entity_ruler"))
    print(
        f"spaCy pipeline: {len(ruler.patterns)} entity patterns "
        f"({', '.join(sorted(ruler.labels))}) -> {args.output}"
    )


if __name__ == "__main__":
    main()
