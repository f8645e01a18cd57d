"""The demo's fix stories: the promise, who reported it, where the fix stands today."""

from dataclasses import dataclass

from forum.fixes.models import FixStatus

S = FixStatus
SHIP, BILL, SUPPORT = "Shipping & Logistics", "Billing", "Customer Support"
PRODUCT, IMPL = "Product", "Implementation"
NA, NA2, EU, EU2 = "rep@", "jordan.blake@", "sofia.marin@", "tom.fischer@"
AP, AP2, LA = "mei.tanaka@", "arjun.rao@", "lucas.souza@"
ROOT_CAUSES = ["Capacity", "Process gap", "Tooling", "Communication", "Supplier", "Training"]


@dataclass(frozen=True)
class Story:
    """One fix: the promise, who reported it, where it stands today and how it got there."""

    title: str
    team: str
    priority: str
    age: int  # days since the fix was opened
    status: str
    reporter: str  # e-mail up to the @
    account: str
    amount: int
    promised: str
    happened: str
    why: str = ""  # blocked, won't fix or reopened: the reason
    fixed: tuple[str, str, str] = ("", "", "")  # resolution note, root cause, prevention
    extras: tuple[str, ...] = ()


# fmt: off
STORIES = [
    Story("Pallet deliveries to Hamburg take three weeks", SHIP, "P1", 2, S.OPEN, EU,
        "Bauer & Söhne Logistik", 85000, "Delivery in 5 working days",
        "The pallets arrived after 19 days; the customer paid for express."),
    Story("Credit notes issued in the wrong currency", BILL, "P2", 1, S.OPEN, LA,
        "Banco Pampa", 40000, "Invoices and credits in BRL", "The credit note came in USD."),
    Story("Support hotline closes at noon on Fridays", SUPPORT, "P3", 3, S.OPEN, AP,
        "Lotus Hotels", 12000, "Phone support until 6 pm", "Nobody answered after 12:00.",
        extras=("me_too",)),
    Story("SSO setup needs a paid add-on", PRODUCT, "P3", 6, S.OPEN, NA2, "Initech", 30000,
        "SSO included in the standard plan", "Activation asked for the Enterprise add-on."),
    Story("Go-live slipped by six weeks", IMPL, "P1", 5, S.OPEN, NA, "Acme Manufacturing", 250000,
        "Live within 30 days of signature", "Kick-off happened on day 41.",
        extras=("shielded",)),
    Story("Cold-chain shipments not tracked", SHIP, "P2", 4, S.ACKNOWLEDGED, AP2,
        "Mumbai Textiles", 9000, "Temperature log with every shipment", "No log was provided."),
    Story("Annual invoices split into monthly ones", BILL, "P3", 9, S.ACKNOWLEDGED, EU2,
        "Nordic Ferries", 18000, "One annual invoice", "Twelve invoices arrived.",
        extras=("assign",)),
    Story("Weekend tickets answered on Monday", SUPPORT, "P1", 8, S.ACKNOWLEDGED, NA,
        "Hooli Health", 120000, "24/7 critical support", "A P1 ticket waited 58 hours.",
        extras=("ack_esc",)),
    Story("Bulk export capped at 10,000 rows", PRODUCT, "P4", 20, S.ACKNOWLEDGED, EU,
        "Lumière Cosmétiques", 60000, "Unlimited CSV export", "Exports stop at 10,000 rows."),
    Story("Data migration dropped attachments", IMPL, "P2", 13, S.ACKNOWLEDGED, AP,
        "Sakura Electronics", 95000, "Full migration including files",
        "Every attachment before 2021 is missing.", extras=("snooze",)),
    Story("Same-day dispatch cut-off moved to 11 am", SHIP, "P2", 25, S.IN_PROGRESS, NA2,
        "Vandelay Imports", 22000, "Orders before 2 pm ship the same day",
        "Orders at 12:30 shipped the next day.", extras=("me_too", "ack_esc")),
    Story("Payment terms reset to 30 days on renewal", BILL, "P2", 18, S.IN_PROGRESS, EU,
        "Castellana Seguros", 70000, "Net 60 kept on renewal", "The renewal invoice said net 30.",
        extras=("extend",)),
    Story("Onboarding calls only in English", SUPPORT, "P3", 15, S.IN_PROGRESS, LA,
        "Farmacias Luz", 15000, "Onboarding in Spanish", "The trainer spoke English only.",
        extras=("assign",)),
    Story("API rate limit lower than documented", PRODUCT, "P2", 30, S.IN_PROGRESS, AP2,
        "Koala Freight", 33000, "1,000 requests a minute", "Throttled at 200 a minute.",
        extras=("reprioritise", "ack_esc")),
    Story("Sandbox not ready for the pilot", IMPL, "P3", 12, S.IN_PROGRESS, EU2,
        "Stadtwerke Nordheim", 41000, "Sandbox in week one", "Still waiting in week three."),
    Story("Returns label missing from parcels", SHIP, "P4", 35, S.IN_PROGRESS, NA,
        "Pied Piper Storage", 3000, "Prepaid returns label in every parcel", "No label inside."),
    Story("Dunning letters sent to paid accounts", BILL, "P1", 9, S.IN_PROGRESS, NA2,
        "Globex Retail", 180000, "No reminders while a dispute is open",
        "Three reminders during the dispute.", extras=("shielded", "snooze")),
    Story("Customs paperwork wrong for Chile", SHIP, "P2", 28, S.BLOCKED, LA, "Andes Mining",
        150000, "Door-to-door delivery incl. customs", "Goods held at customs for 12 days.",
        why="Waiting for the new customs broker contract to be signed."),
    Story("Tax ID missing on invoices", BILL, "P3", 22, S.BLOCKED, EU2, "Bright Dental Group", 4000,
        "Invoices valid for VAT recovery", "Their accountant rejected every invoice.",
        why="The ERP vendor ships the field in their next release."),
    Story("Offline mode promised for field teams", PRODUCT, "P3", 40, S.BLOCKED, AP,
        "Harbour City Council", 52000, "Works offline on tablets", "The app needs a connection.",
        why="Depends on the sync engine rewrite planned for next quarter."),
    Story("Dedicated CSM not assigned", SUPPORT, "P2", 16, S.BLOCKED, NA,
        "Acme Manufacturing", 90000, "A named customer success manager",
        "Four different people answered in a month.",
        why="Hiring for the enterprise CSM role is still open.", extras=("ack_esc",)),
    Story("Split shipments charged twice", SHIP, "P2", 6, S.RESOLVED, EU, "Lumière Cosmétiques",
        26000, "One freight charge per order", "Each partial shipment was billed.",
        fixed=("Freight is now billed once per order.", "Tooling", "Billing rule under test.")),
    Story("Single sign-on breaks after password change", PRODUCT, "P1", 5, S.RESOLVED, NA2,
        "Initech", 45000, "SSO works with our IdP", "Users were locked out for a day.",
        fixed=("Token refresh fixed in 4.12.", "Tooling", "Regression test for IdP rotation."),
        extras=("me_too",)),
    Story("Trainer cancelled twice", IMPL, "P3", 9, S.RESOLVED, AP2, "Lotus Hotels", 8000,
        "Two training days in the first month", "Both days were cancelled the evening before.",
        fixed=("A second trainer covers APAC.", "Capacity", "Bench of two trainers per region.")),
    Story("Quote validity cut from 90 to 30 days", BILL, "P3", 14, S.RESOLVED, LA, "Rio Verde Agro",
        11000, "Quotes valid 90 days", "Finance refused a 45-day-old quote.",
        fixed=("Quote validity restored to 90 days.", "Communication", "Policy page in the CRM.")),
    Story("Express option missing in the portal", SHIP, "P3", 60, S.VERIFIED, NA, "Globex Retail",
        30000, "Express delivery bookable online", "Only standard delivery could be booked.",
        fixed=("Express added to the portal.", "Tooling", "Portal options reviewed monthly."),
        extras=("late",)),
    Story("Invoices sent to the wrong contact", BILL, "P2", 45, S.VERIFIED, EU2, "Nordic Ferries",
        14000, "Invoices to accounts payable", "They went to the signer, who left.",
        fixed=("Billing contact synced from the CRM.", "Process gap", "Contact check at renewal."),
        extras=("me_too",)),
    Story("Chat support unavailable in Japanese", SUPPORT, "P3", 80, S.VERIFIED, AP,
        "Sakura Electronics", 65000, "Support in Japanese", "Chat answered in English only.",
        fixed=("Two Japanese-speaking agents hired.", "Training", "Language rota per region."),
        extras=("leader_verify",)),
    Story("Report builder missing from the Pro plan", PRODUCT, "P4", 120, S.VERIFIED, NA2,
        "Vandelay Imports", 20000, "Report builder in Pro", "Report builder locked.",
        fixed=("Report builder enabled for Pro.", "Communication", "Plan matrix reviewed.")),
    Story("Warehouse pick errors on mixed orders", SHIP, "P2", 70, S.VERIFIED, AP2, "Koala Freight",
        27000, "Accurate mixed-SKU orders", "Wrong items in three orders.",
        why="Two more orders arrived wrong last week.",
        fixed=("Scanner check at packing.", "Process gap", "Weekly pick-accuracy audit."),
        extras=("reopened_before",)),
    Story("Data import took a month", IMPL, "P2", 90, S.VERIFIED, EU, "Castellana Seguros", 48000,
        "Historic data imported in a week", "Import finished after 31 days.",
        fixed=("Import tool parallelised.", "Capacity", "Import size checked at kick-off."),
        extras=("late",)),
    Story("Late fees on prepaid accounts", BILL, "P3", 100, S.VERIFIED, LA, "Café Serrano", 2000,
        "No fees on prepaid plans", "A late fee appeared on a prepaid plan.",
        fixed=("Fee rule excludes prepaid.", "Tooling", "Billing rules reviewed quarterly."),
        extras=("leader_verify",)),
    Story("Ticket replies stuck in spam filters", SUPPORT, "P2", 50, S.VERIFIED, EU2,
        "Stadtwerke Nordheim", 16000, "E-mail replies within 4 hours", "Replies landed in spam.",
        fixed=("SPF and DKIM fixed for the help desk.", "Tooling", "Mail checks in monitoring.")),
    Story("Pallets delivered late to the Rotterdam hub", SHIP, "P2", 40, S.REOPENED, EU,
        "Bauer & Söhne Logistik", 38000, "Delivery in 5 working days", "Delivered after 12 days.",
        why="The new carrier was late again this week.",
        fixed=("Second carrier contracted.", "Supplier", "Carrier scorecard every month.")),
    Story("Onboarding portal login loops", PRODUCT, "P2", 25, S.REOPENED, AP,
        "Harbour City Council", 21000, "Self-service onboarding",
        "Users loop back to the login page.",
        why="It happens again with Safari.",
        fixed=("Cookie settings fixed.", "Tooling", "Browser matrix in release tests."),
        extras=("me_too",)),
    Story("Setup fee charged despite the waiver", BILL, "P3", 60, S.REOPENED, NA, "Hooli Health",
        9500, "Setup fee waived", "The first invoice had the setup fee.",
        why="The waiver applies; finance agreed after all.", extras=("from_wont_fix",)),
    Story("Parcels lost between depots", SHIP, "P1", 85, S.REOPENED, NA2, "Pied Piper Storage",
        7000, "Tracked delivery", "Two parcels vanished between depots.",
        why="A new report shows parcels lost at the same depot.",
        fixed=("Depot scanning enforced.", "Process gap", "Scan gaps alert the depot lead."),
        extras=("recurrence",)),
    Story("Custom domain for the help centre", PRODUCT, "P4", 30, S.WONT_FIX, EU2,
        "Bright Dental Group", 1500, "Help centre on their own domain", "Not available.",
        why="Not on the roadmap; the request came from one small account."),
    Story("Free on-site training for every renewal", IMPL, "P3", 45, S.WONT_FIX, LA, "Banco Pampa",
        20000, "On-site training at each renewal", "Training was billed.",
        why="Never part of the offer; sales will be briefed."),
    Story("Saturday deliveries in rural areas", SHIP, "P4", 20, S.WONT_FIX, AP2, "Rio Verde Agro",
        5000, "Saturday delivery everywhere", "No Saturday service outside cities.",
        why="Carriers do not serve rural areas on Saturdays; the catalog says so."),
]
# fmt: on
