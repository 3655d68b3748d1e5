"""Company and role of a job email: rules that propose, a small trained model that reads."""

from bounceback.nlp.entities.common import is_ats_domain
from bounceback.nlp.entities.extract import EntityReader, display_employer, extract_company_role
from bounceback.nlp.entities.model import EntityModel

__all__ = [
    "EntityModel",
    "EntityReader",
    "display_employer",
    "extract_company_role",
    "is_ats_domain",
]
