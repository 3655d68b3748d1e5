"""Company and role of a job email: rules that propose, a small trained model that reads."""

from bounceback.nlp.entities.common import is_ats_domain
from bounceback.nlp.entities.rules import rule_company_role as extract_company_role

__all__ = ["extract_company_role", "is_ats_domain"]
