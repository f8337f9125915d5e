"""Fictional people of the sample: customers, agents, their phone numbers, addresses and handles.

Everything is made up: names from short lists, mobile numbers ``+34 6xx xxx xxx``, addresses at ``example.com`` /
``example.org``.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

FIRST_NAMES = {
    "es": [
        "María",
        "Lucía",
        "Carmen",
        "Javier",
        "Pablo",
        "Alejandro",
        "Laura",
        "Marta",
        "Sergio",
        "Ana",
        "David",
        "Elena",
        "Jorge",
        "Paula",
        "Raúl",
        "Cristina",
        "Daniel",
        "Nuria",
        "Iván",
        "Sara",
        "Antonio",
        "Rocío",
        "Manuel",
        "Irene",
    ],
    "en": [
        "Emma",
        "Oliver",
        "Sophie",
        "James",
        "Charlotte",
        "Harry",
        "Amelia",
        "George",
        "Olivia",
        "Jack",
        "Grace",
        "Thomas",
        "Lily",
        "Henry",
    ],
}
LAST_NAMES = {
    "es": [
        "García",
        "Martínez",
        "López",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Fernández",
        "Ruiz",
        "Díaz",
        "Moreno",
        "Álvarez",
        "Romero",
        "Navarro",
        "Torres",
        "Gil",
        "Vázquez",
        "Serrano",
        "Molina",
        "Castro",
        "Ortega",
    ],
    "en": [
        "Smith",
        "Taylor",
        "Brown",
        "Wilson",
        "Davies",
        "Evans",
        "Johnson",
        "Walker",
        "Wright",
        "Robinson",
        "Hughes",
        "Clarke",
    ],
}
MAIL_DOMAINS = ("example.com", "example.org")


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    language: str
    email: str
    phone: str
    handle: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Agent:
    id: str
    name: str


def ascii_lower(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isascii() and char.isalnum()).lower()


def mobile_number(rng: random.Random) -> str:
    return f"+34 6{rng.randrange(100):02d} {rng.randrange(1000):03d} {rng.randrange(1000):03d}"


class Population:
    """A pool of customers per language, some of whom come back on several channels."""

    def __init__(self, rng: random.Random, size: int = 900) -> None:
        self.customers: dict[str, list[Person]] = {}
        for language in ("es", "en"):
            people = []
            for number in range(size if language == "es" else size // 2):
                first = rng.choice(FIRST_NAMES[language])
                last = rng.choice(LAST_NAMES[language])
                stem = f"{ascii_lower(first)}.{ascii_lower(last)}"
                people.append(
                    Person(
                        first_name=first,
                        last_name=last,
                        language=language,
                        email=f"{stem}{number}@{rng.choice(MAIL_DOMAINS)}",
                        phone=mobile_number(rng),
                        handle=f"{ascii_lower(first)}_{ascii_lower(last)[:4]}{rng.randrange(10, 100)}",
                    )
                )
            self.customers[language] = people

    def customer(self, rng: random.Random, language: str) -> Person:
        return rng.choice(self.customers[language])


PHONE_AGENTS = [
    Agent(f"ag_{number:02d}", name)
    for number, name in enumerate(
        [
            "Ana Ruiz",
            "Luis Marín",
            "Sonia Peña",
            "Carlos Vidal",
            "Eva Cano",
            "Marcos Soler",
            "Inés Prieto",
            "Hugo Rey",
            "Olga Méndez",
            "Rubén Lara",
            "Alba Núñez",
            "Diego Pascual",
            "Clara Ibáñez",
            "Óscar Santos",
            "Julia Herrero",
            "Adrián Campos",
        ],
        start=1,
    )
]
CHAT_AGENTS = [
    Agent(f"ag_{number:02d}", name)
    for number, name in enumerate(
        ["Noelia Bravo", "Tomás Crespo", "Patricia León", "Víctor Gallego", "Silvia Rojas", "Andrés Calvo"], start=21
    )
]
CASE_AGENTS = [
    Agent(f"ag_{number:02d}", name)
    for number, name in enumerate(["Beatriz Soto", "Gonzalo Vega", "Lorena Fuentes", "Ismael Cortés"], start=31)
]
