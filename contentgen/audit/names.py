"""Customer names that signal gender and origin, for counterfactual customer-service messages.

Sources: the Anglo set is the White-sounding given names of Bertrand & Mullainathan (2004),
"Are Emily and Greg More Employable than Lakisha and Jamal?", Am. Econ. Rev. 94(4), with common
English surnames. The other sets are common given names and surnames of each origin, written
in Latin letters, hand-picked so that every given name has one clear gender in its community
(unisex names such as Jun, Ji-woo or Oluwaseun are left out). A counterfactual pair keeps
everything else fixed: a gender pair keeps the origin and the surname, an origin pair keeps
the gender.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Origin:
    """One origin's given names by gender and its surnames."""

    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]

    def given(self, gender: str) -> tuple[str, ...]:
        """The given names of `gender` ("female" or "male")."""
        return self.female if gender == "female" else self.male


ANGLO = "anglo"
ORIGINS: Mapping[str, Origin] = MappingProxyType(
    {
        ANGLO: Origin(
            ("Emily", "Anne", "Jill", "Allison", "Laurie", "Sarah", "Meredith", "Carrie"),
            ("Greg", "Brendan", "Geoffrey", "Brett", "Matthew", "Todd", "Neil", "Brad"),
            ("Walsh", "Baker", "Sullivan", "Murphy", "Cooper", "Bennett"),
        ),
        "arabic": Origin(
            ("Fatima", "Aisha", "Layla", "Mariam", "Noor", "Zainab"),
            ("Mohammed", "Ahmed", "Omar", "Youssef", "Khalid", "Hassan"),
            ("Haddad", "Al-Sayed", "Khalil", "Mansour", "Nasser", "Hamdan"),
        ),
        "south_asian": Origin(
            ("Priya", "Ananya", "Lakshmi", "Deepika", "Sunita", "Kavya"),
            ("Rahul", "Arjun", "Vikram", "Sanjay", "Rajesh", "Amit"),
            ("Patel", "Sharma", "Iyer", "Reddy", "Gupta", "Nair"),
        ),
        "hispanic": Origin(
            ("María", "Guadalupe", "Lucía", "Carmen", "Alejandra", "Sofía"),
            ("José", "Juan", "Carlos", "Alejandro", "Miguel", "Javier"),
            ("García", "Hernández", "López", "Martínez", "Ramírez", "Torres"),
        ),
        "chinese": Origin(
            ("Mei", "Xiaoling", "Yan", "Jing", "Xiu Ying", "Li Na"),
            ("Wei", "Hao", "Jian", "Zhiwei", "Lei", "Qiang"),
            ("Wang", "Chen", "Zhang", "Liu", "Huang", "Zhao"),
        ),
        "west_african": Origin(
            ("Ngozi", "Chiamaka", "Adaeze", "Folake", "Abena", "Yetunde"),
            ("Emeka", "Babatunde", "Nnamdi", "Kwame", "Kofi", "Tunde"),
            ("Okafor", "Adeyemi", "Mensah", "Okonkwo", "Owusu", "Balogun"),
        ),
    }
)
OTHER_ORIGINS: tuple[str, ...] = tuple(o for o in ORIGINS if o != ANGLO)

# Words that refer to the customer, by gender: the pair swaps all of them together.
PRONOUNS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "female": MappingProxyType(
            {"they": "she", "them": "her", "their": "her", "title": "Ms", "parent": "mother"}
        ),
        "male": MappingProxyType(
            {"they": "he", "them": "him", "their": "his", "title": "Mr", "parent": "father"}
        ),
    }
)
GENDERS: tuple[str, str] = ("female", "male")
