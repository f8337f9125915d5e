"""The contact-type and sentiment classifier: corpus, features, training, artefact, evaluation."""
