"""Which CSV header means which field: Salesforce and HubSpot report exports and a generic
layout. Headers are matched after ``fold`` (case, accents and spacing ignored), so
"Account ID", "account id" and "ACCOUNT  ID" are one header. README "CRM import" lists them.
"""

from dataclasses import dataclass

from forum.crm.values import fold


@dataclass(frozen=True)
class Layout:
    """The headers of one file kind, by field, per export format."""

    kind: str  # "accounts" or "opportunities"
    required: tuple[str, ...]
    aliases: dict[str, dict[str, tuple[str, ...]]]  # format -> field -> headers

    def headers_for(self, field: str) -> set[str]:
        return {fold(h) for per_format in self.aliases.values() for h in per_format.get(field, ())}

    def resolve(self, header: list[str]) -> tuple[dict[str, int], str]:
        """Column index per field and the export format the headers look like most."""
        folded = [fold(h) for h in header]
        columns: dict[str, int] = {}
        fields = {f for per_format in self.aliases.values() for f in per_format}
        for field in sorted(fields):
            wanted = self.headers_for(field)
            for i, h in enumerate(folded):
                if h in wanted and i not in columns.values():
                    columns[field] = i
                    break
        scores = {
            name: sum(1 for f, hs in per.items() for h in hs if fold(h) in folded)
            for name, per in self.aliases.items()
        }
        return columns, max(scores, key=lambda name: (scores[name], name == "generic"))


ACCOUNTS = Layout(
    kind="accounts",
    required=("crm_id", "name"),
    aliases={
        "generic": {
            "crm_id": ("crm_id", "crm id", "account crm id"),
            "name": ("name", "account", "account name"),
            "segment": ("segment",),
            "region": ("region", "sales region"),
            "arr": ("arr", "annual recurring revenue"),
            "currency": ("currency", "arr currency"),
            "owner_email": ("owner_email", "owner e-mail", "owner email"),
        },
        "salesforce": {
            "crm_id": ("Account ID", "Account ID (18)", "Id"),
            "name": ("Account Name",),
            "segment": ("Segment", "Account Segment", "Customer Segment"),
            "region": ("Sales Region", "Region", "Territory"),
            "arr": ("ARR", "Annual Recurring Revenue", "Annual Revenue"),
            "currency": ("Account Currency", "Annual Revenue Currency", "Currency ISO Code"),
            "owner_email": ("Account Owner Email", "Owner Email"),
        },
        "hubspot": {
            "crm_id": ("Record ID", "Company ID"),
            "name": ("Company name", "Name"),
            "segment": ("Segment", "Company segment", "Type"),
            "region": ("Sales region", "Region", "Territory"),
            "arr": ("Annual recurring revenue", "Annual Revenue"),
            "currency": ("Currency", "Company currency code"),
            "owner_email": ("Company owner email", "HubSpot owner email", "Owner email"),
        },
    },
)

OPPORTUNITIES = Layout(
    kind="opportunities",
    required=("crm_id", "account_crm_id", "owner_email"),
    aliases={
        "generic": {
            "crm_id": ("crm_id", "crm id", "opportunity crm id"),
            "account_crm_id": ("account_crm_id", "account crm id"),
            "name": ("name", "title", "opportunity"),
            "owner_email": ("owner_email", "owner e-mail", "owner email"),
            "amount": ("amount", "deal value"),
            "currency": ("currency",),
            "stage": ("stage",),
            "close_date": ("close_date", "close date"),
            "outcome": ("outcome",),
            "competitor": ("competitor",),
            "loss_reason": ("loss_reason", "loss reason", "reason"),
        },
        "salesforce": {
            "crm_id": ("Opportunity ID", "Opportunity ID (18)"),
            "account_crm_id": ("Account ID", "Account ID (18)"),
            "name": ("Opportunity Name",),
            "owner_email": ("Opportunity Owner Email", "Owner Email"),
            "amount": ("Amount", "Amount (converted)"),
            "currency": ("Opportunity Currency", "Amount Currency", "Currency ISO Code"),
            "stage": ("Stage",),
            "close_date": ("Close Date",),
            "outcome": ("Outcome", "Won/Lost"),
            "competitor": ("Primary Competitor", "Competitor", "Main Competitor"),
            "loss_reason": ("Loss Reason", "Closed Lost Reason", "Reason Lost"),
        },
        "hubspot": {
            "crm_id": ("Record ID", "Deal ID"),
            "account_crm_id": (
                "Associated Company IDs (Primary)",
                "Associated Company ID",
                "Associated Company IDs",
                "Company ID",
            ),
            "name": ("Deal Name",),
            "owner_email": ("Deal owner email", "HubSpot owner email", "Owner email"),
            "amount": ("Amount", "Amount in company currency"),
            "currency": ("Currency", "Deal currency code"),
            "stage": ("Deal Stage",),
            "close_date": ("Close Date",),
            "outcome": ("Outcome",),
            "competitor": ("Competitor", "Primary competitor"),
            "loss_reason": ("Closed lost reason", "Loss reason"),
        },
    },
)

# Stage labels and internal names of both CRMs' default pipelines, folded.
WON = {"closed won", "closedwon", "won"}
LOST = {"closed lost", "closedlost", "lost"}
NO_DECISION = {"no decision", "closed no decision", "no_decision", "nodecision"}
OPEN = {"open"}
STAGES = {
    "discovery": {
        "discovery",
        "prospecting",
        "qualification",
        "needs analysis",
        "appointmentscheduled",
        "appointment scheduled",
        "qualifiedtobuy",
        "qualified to buy",
    },
    "demo": {
        "demo",
        "value proposition",
        "id. decision makers",
        "perception analysis",
        "presentationscheduled",
        "presentation scheduled",
    },
    "proposal": {
        "proposal",
        "proposal/price quote",
        "decisionmakerboughtin",
        "decision maker bought-in",
    },
    "negotiation": {"negotiation", "negotiation/review"},
    "contract": {"contract", "contractsent", "contract sent"},
}
STAGE_OF = {label: stage for stage, labels in STAGES.items() for label in labels}
