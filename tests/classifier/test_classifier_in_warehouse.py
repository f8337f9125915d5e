"""The classifier as the warehouse runs it (dbt macros in SQL), against the Python scorer and with people in charge."""

from __future__ import annotations

import pytest
from voc.classifier import corpus
from voc.classifier.model import load_models


@pytest.fixture(scope="module")
def models():
    return load_models()


@pytest.fixture(scope="module")
def scored_corpus(built_warehouse, tmp_path_factory):
    """The labelled corpus scored in the warehouse (off in the pipeline's builds; a separate target keeps the
    pipeline's manifest as it is)."""
    from voc import transform

    transform.run_dbt(
        [
            "build",
            "--select",
            "labelled_messages",
            "held_out_messages",
            "int_labelled_message_predictions",
            "--vars",
            "{score_labelled_corpus: true}",
            "--target-path",
            str(tmp_path_factory.mktemp("corpus-target")),
        ],
        built_warehouse,
        quiet=True,
    )
    return built_warehouse


def test_sql_and_python_score_every_corpus_message_alike(scored_corpus, warehouse, models):
    """Same label, probability and evidence for every labelled message, both models: one classifier, two engines."""
    with warehouse.connect(scored_corpus) as conn:
        rows = conn.execute(
            """
            select message_id, predicted_contact_type, contact_type_probability, contact_type_evidence,
                   contact_type_model_version, predicted_sentiment, sentiment_probability, sentiment_evidence,
                   sentiment_model_version
            from intermediate.int_labelled_message_predictions
            """
        ).fetchall()
    messages = {message.message_id: message for message in corpus.load()}
    assert {row[0] for row in rows} == set(messages)
    for message_id, label, probability, evidence, version, sentiment, s_probability, s_evidence, s_version in rows:
        text = messages[message_id].text
        expected = models["contact_type"].predict(text)
        assert (label, evidence, version) == (expected.label, expected.evidence_text, models["contact_type"].version)
        assert probability == pytest.approx(expected.probability, abs=1e-9)
        expected = models["sentiment"].predict(text)
        assert (sentiment, s_evidence, s_version) == (expected.label, expected.evidence_text, models["sentiment"].version)
        assert s_probability == pytest.approx(expected.probability, abs=1e-9)


def test_every_contact_with_text_carries_the_models_decision_and_its_evidence(built_warehouse, warehouse, models):
    model = models["contact_type"]
    with warehouse.connect(built_warehouse) as conn:
        rows = conn.execute(
            """
            select contacts.contact_id, texts.contact_text, contacts.contact_type, contacts.classified_by,
                   contacts.model_contact_type, contacts.model_probability, contacts.model_evidence,
                   contacts.classifier_version, contacts.is_low_confidence
            from marts.fct_contacts as contacts
            inner join restricted.contact_texts as texts on contacts.contact_id = texts.contact_id
            """
        ).fetchall()
    assert len(rows) > 1000
    low = 0
    for contact_id, text, contact_type, by, model_type, probability, evidence, version, is_low in rows:
        expected = model.predict(text)
        assert (model_type, evidence, version) == (expected.label, expected.evidence_text, model.version), contact_id
        if by == "model":
            assert contact_type == model_type, contact_id
            assert is_low == (probability < model.review_threshold), contact_id
            low += is_low
        else:
            assert not is_low, contact_id
    with warehouse.connect(built_warehouse) as conn:
        listed = conn.execute("select count(*) from restricted.classification_review").fetchone()[0]
    assert listed == low


def test_every_inbound_message_with_text_has_a_sentiment(built_warehouse, warehouse, models):
    model = models["sentiment"]
    with warehouse.connect(built_warehouse) as conn:
        rows = conn.execute(
            """
            select interactions.interaction_id, interactions.direction, texts.interaction_text,
                   interactions.sentiment, interactions.sentiment_evidence
            from marts.fct_interactions as interactions
            left join restricted.interaction_texts as texts on interactions.interaction_id = texts.interaction_id
            """
        ).fetchall()
    inbound = [row for row in rows if row[1] == "inbound" and (row[2] or "").strip()]
    assert inbound
    for interaction_id, _, text, sentiment, evidence in inbound:
        expected = model.predict(text)
        assert (sentiment, evidence) == (expected.label, expected.evidence_text), interaction_id
    assert all(row[3] is None for row in rows if row[1] != "inbound")


def _contact(warehouse, settings, contact_id):
    with warehouse.connect(settings) as conn:
        return conn.execute(
            """
            select contact_type, classified_by, overridden_by, override_reason, channel,
                   to_char(month_start_date, 'YYYY-MM')
            from marts.fct_contacts where contact_id = %s
            """,
            (contact_id,),
        ).fetchone()


def _complaints(warehouse, settings, channel, month):
    with warehouse.connect(settings) as conn:
        return conn.execute(
            """
            select complaints from marts.kpi_channel_monthly
            where channel = %s and to_char(month_start_date, 'YYYY-MM') = %s
            """,
            (channel, month),
        ).fetchone()[0]


def test_an_override_changes_the_marts_and_survives_rebuilds_and_replays(built_warehouse, warehouse):
    """A reviewer turns a classifier-decided complaint into an inquiry: the KPI loses exactly that complaint; a
    full rebuild and a replay of the source from the start keep the decision; reverting restores the model's."""
    from voc import review, transform
    from voc.landing import land_channel

    settings = built_warehouse
    with warehouse.connect(settings) as conn:
        contact_id, channel = conn.execute(
            """
            select contact_id, channel from marts.fct_contacts
            where classified_by = 'model' and contact_type = 'complaint'
            order by contact_id limit 1
            """
        ).fetchone()
    _, _, _, _, _, month = _contact(warehouse, settings, contact_id)
    complaints_before = _complaints(warehouse, settings, channel, month)
    try:
        review.record(settings, contact_id, "inquiry", by="quality manager", reason="asks for a price; not a complaint")
        transform.run_dbt(["build", "--select", "int_contacts_classified+"], settings, quiet=True)
        assert _contact(warehouse, settings, contact_id)[:4] == (
            "inquiry",
            "override",
            "quality manager",
            "asks for a price; not a complaint",
        )
        assert _complaints(warehouse, settings, channel, month) == complaints_before - 1

        land_channel(channel, settings, from_start=True)
        transform.run_dbt(["build", "--full-refresh"], settings, quiet=True)
        assert _contact(warehouse, settings, contact_id)[:2] == ("inquiry", "override")
        assert _complaints(warehouse, settings, channel, month) == complaints_before - 1
    finally:
        review.record(settings, contact_id, None, by="quality manager", reason="back to automatic")
        transform.run_dbt(["build", "--select", "int_contacts_classified+"], settings, quiet=True)
    assert _contact(warehouse, settings, contact_id)[:2] == ("complaint", "model")
    assert _complaints(warehouse, settings, channel, month) == complaints_before
    assert [decision.contact_type for decision in review.history(settings, contact_id)] == ["inquiry", None]


def test_an_override_needs_a_known_contact_type_reason_and_reviewer(built_warehouse):
    from voc import review

    with pytest.raises(review.OverrideError, match="unknown contact type 'feedback'"):
        review.record(built_warehouse, "chat:x", "feedback", by="qm", reason="r")
    with pytest.raises(review.OverrideError, match="say why"):
        review.record(built_warehouse, "chat:x", "inquiry", by="qm", reason=" ")
    with pytest.raises(review.OverrideError, match="no contact 'chat:does-not-exist'"):
        review.record(built_warehouse, "chat:does-not-exist", "inquiry", by="qm", reason="r")


def test_the_artefact_is_installed_once_and_reinstalled_when_it_changes(built_warehouse, warehouse, tmp_path):
    """The set-up copies the artefact in only when it changed; an inconsistent artefact is refused before anything
    in the warehouse is touched."""
    import shutil

    from voc.classifier import model as classifier_model

    installed = classifier_model.load_models()
    with warehouse.connect(built_warehouse) as conn:
        assert classifier_model.install(conn) is False

        changed = tmp_path / "changed"
        shutil.copytree(classifier_model.ARTEFACT_DIR, changed)
        path = changed / classifier_model.MODELS_FILE
        path.write_text(path.read_text().replace(installed["sentiment"].version, "sentiment-edited"))
        try:
            assert classifier_model.install(conn, changed) is True
            versions = dict(conn.execute("select model_name, model_version from classifier.models").fetchall())
            assert versions == {"contact_type": installed["contact_type"].version, "sentiment": "sentiment-edited"}
            query = "select count(*) from classifier.weight_vectors where model_name = 'contact_type'"
            (vectors,) = conn.execute(query).fetchone()
            assert vectors == len(installed["contact_type"].weights) + 1  # every feature and the bias

            broken = tmp_path / "broken"
            shutil.copytree(classifier_model.ARTEFACT_DIR, broken)
            weights = classifier_model.weights_path(broken, "contact_type")
            weights.write_text("".join(line for line in weights.read_text().splitlines(True) if "(bias)" not in line))
            with pytest.raises(classifier_model.ArtefactError, match=r"model contact_type needs a \(bias\) row"):
                classifier_model.install(conn, broken)
            assert conn.execute("select model_version from classifier.models where model_name = 'sentiment'").fetchone() == (
                "sentiment-edited",
            )
        finally:
            assert classifier_model.install(conn) is True
            conn.commit()


def test_a_warehouse_installed_by_an_older_version_gets_the_current_layout(built_warehouse, warehouse):
    """An earlier release's tables (another column set, the long weights table) are replaced, not patched."""
    from voc.classifier import model as classifier_model

    with warehouse.connect(built_warehouse) as conn:
        conn.execute("alter table classifier.models drop column class_weight")
        conn.execute("update classifier.models set artefact_sha256 = 'an earlier layout'")
        conn.execute("create table classifier.weights (model_name text, feature text, label text, weight numeric)")
        assert classifier_model.install(conn) is True
        columns = {
            row[0]
            for row in conn.execute(
                "select column_name from information_schema.columns where table_schema = 'classifier' and table_name = 'models'"
            )
        }
        assert "class_weight" in columns
        assert conn.execute("select to_regclass('classifier.weights')").fetchone() == (None,)
        assert classifier_model.install(conn) is False
        conn.commit()


HOSTILE_TEXTS = {
    "latin1-capitals": "ÉCHEC TOTAL!!! ¿POR QUÉ NADIE RESPONDE? ÑANDÚ ÀÖÜ",
    "ascii-capitals-only": "REFUND NOW. Order 12345 NEVER ARRIVED",
    "decomposed-accents": "pe\u0301simo servicio, no funciono\u0301 nada",
    "emoji-and-symbols": "😡😡 terrible @marca #fail 👍 ❤️ ☺",
    "capitals-outside-latin-1": "İSTANBUL ΣΟΦΙΑ Москва ŁÓDŹ Ÿ ŒUVRE straße",
    "repeats": "very very very bad bad bad service service, very very bad",
    "punctuation-only": " ... ",
    "controls": "no\tfunciona\nnada\x7f del\rtodo",
    "long": " ".join(["la", "factura", "llegó", "tarde", "otra", "vez", "y", "nadie", "contesta"] * 600),
}


def test_sql_and_python_score_hostile_texts_alike(built_warehouse, models):
    """Texts nobody labelled, written to break the warehouse's copy of the normalisation: capitals in and outside
    Latin-1 (where a collation-dependent lower() would differ), decomposed accents, emoji, repeated words and
    pairs, controls and a 5,400-word text: both models give what the Python scorer gives."""
    import json

    from voc import transform

    def literal(text):
        return "'" + text.replace("'", "''") + "'"

    values = ", ".join(
        f"({literal(model_name)}, {literal(text_id)}, {literal(text)})"
        for text_id, text in HOSTILE_TEXTS.items()
        for model_name in ("contact_type", "sentiment")
    )
    query = f"""
        with texts as (
            select * from (values {values}) as texts (model_name, text_id, classifier_text)
        ),
        predictions as (
            {{{{ classifier_predictions('texts', ['contact_type', 'sentiment']) }}}}
        )
        select model_name, text_id, label, probability, evidence, model_version from predictions
    """
    printed = transform.run_dbt(
        ["show", "--quiet", "--inline", query, "--output", "json", "--limit", "100"], built_warehouse, quiet=True
    )
    rows = json.loads(printed[printed.index("{") :])["show"]
    assert len(rows) == 2 * len(HOSTILE_TEXTS)
    for row in rows:
        model = models[row["model_name"]]
        expected = model.predict(HOSTILE_TEXTS[row["text_id"]])
        assert (row["label"], row["evidence"], row["model_version"]) == (
            expected.label,
            expected.evidence_text,
            model.version,
        ), row["text_id"]
        assert row["probability"] == pytest.approx(expected.probability, abs=1e-9), row["text_id"]
