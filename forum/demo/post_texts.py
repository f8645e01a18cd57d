"""What the demo reps write: templates for the three kinds of report, filled in by posts.py.

Placeholders: {account} {contact} {competitor} {feature} {quarter} {days} {weeks} {n} {amount}.
"""

FEATURES = [
    "SAML single sign-on",
    "bulk CSV import",
    "EU data residency",
    "the Salesforce sync",
    "audit log export",
    "offline mode",
    "multi-currency invoicing",
    "role-based approvals",
]
QUARTERS = ["Q1", "Q2", "Q3", "Q4"]
CONTACTS = [
    "Maria Jensen (Head of Procurement)",
    "Tom Alvarez (COO)",
    "Aiko Sato (IT Director)",
    "Daniel Okoye (Operations Manager)",
    "Claire Dubois (CFO)",
    "Rahul Mehta (Project Lead)",
    "Sarah O'Neill (Facilities Manager)",
    "Felipe Ramos (Supply Chain Director)",
]

# (title, body, operations team or None, tags)
FIELD_FEEDBACK = [
    (
        "Prospects keep asking for {feature}",
        "In {n} discovery calls this month, **{feature}** came up without me raising it. "
        "Two buyers said it is a must-have for their security team.\n\n"
        "If it is on the roadmap, a date I can share would help.",
        "Product",
        ["product-gap", "roadmap"],
    ),
    (
        "Per-seat pricing loses us small teams",
        "Teams under 10 seats compare our per-seat price with flat-fee tools and walk away. "
        "Three SMB prospects this quarter asked for a starter bundle.",
        None,
        ["pricing", "smb"],
    ),
    (
        "{competitor} quotes 20% under us on three-year deals",
        "{competitor} now opens with a three-year price lock and a 20% discount. "
        "Buyers forward me their quote and ask us to match.",
        None,
        ["pricing", "competitor"],
    ),
    (
        "Customers don't understand the new invoice layout",
        "Since the invoice redesign, finance teams call me to ask which line is the licence "
        "and which is the service fee. Two of them paid the wrong amount.",
        "Billing",
        ["billing", "invoices"],
    ),
    (
        "Support hours don't cover APAC mornings",
        "Our support desk opens at 9:00 CET — that is 16:00 in Singapore. APAC customers "
        "lose a full working day on every ticket.",
        "Customer Support",
        ["support-hours", "apac"],
    ),
    (
        "Onboarding calls are booked three weeks out",
        "New customers sign and then wait {weeks} weeks for their first onboarding call. "
        "The excitement from the deal is gone by then.",
        "Implementation",
        ["onboarding"],
    ),
    (
        "Security questionnaires take us too long",
        "Our security questionnaire turnaround is {weeks} weeks. {competitor} answers in "
        "three days with a ready-made trust pack.",
        None,
        ["security", "sales-process"],
    ),
    (
        "The trial expires before procurement looks at it",
        "Fourteen days is too short for enterprise buyers: the trial ends before "
        "procurement has even opened the file. Could we offer 30 days on request?",
        None,
        ["trial"],
    ),
    (
        "Buyers love the new dashboard",
        "Good news for once: the new dashboard demo lands every time. Three prospects "
        "asked for screenshots to show their boards. Keep going!",
        "Product",
        ["praise", "analytics"],
    ),
    (
        "Procurement wants annual billing in EUR",
        "European buyers want one annual invoice in EUR. Quarterly USD invoices create "
        "currency risk they will not accept.",
        "Billing",
        ["billing", "currency"],
    ),
    (
        "No Spanish-language support hurts us in LATAM",
        "Every LATAM evaluation asks whether support speaks Spanish or Portuguese. "
        "Saying 'English only' ends the conversation at mid-market accounts.",
        "Customer Support",
        ["localisation", "support"],
    ),
    (
        "Partners are confused by the two discount schemes",
        "Resellers don't know whether the partner discount and the volume discount stack. "
        "Each partner gives customers a different answer.",
        None,
        ["partners", "pricing"],
    ),
    (
        "Mobile app reviews come up in every evaluation",
        "Buyers read the app store reviews before our demo. The two-star rating on "
        "Android is now the first objection I handle.",
        "Product",
        ["mobile"],
    ),
    (
        "Tracking links are broken in the customer portal",
        "Customers click 'Track my delivery' in the portal and land on an error page. "
        "They then call their rep — me — to ask where their order is.",
        "Shipping & Logistics",
        ["shipping", "portal"],
    ),
    (
        "Prospects ask for a sandbox before they sign",
        "Technical buyers want a sandbox with their own data before signing. "
        "We can only offer a shared demo tenant.",
        "Implementation",
        ["sandbox", "onboarding"],
    ),
    (
        "Customers want a named support contact above 50 seats",
        "Above 50 seats, buyers expect a named support engineer. "
        "{competitor} includes one in its standard enterprise plan.",
        "Customer Support",
        ["support", "enterprise"],
    ),
    (
        "Our SLA document is two versions behind the website",
        "The SLA PDF in the contract pack still says 4-hour response for P1, while the "
        "website says 1 hour. Legal teams spot it and ask which one applies.",
        None,
        ["contracts"],
    ),
    (
        "Data migration estimates scare mid-market buyers",
        "Our migration estimate for a mid-market customer is {weeks} weeks. "
        "Buyers compare it with {competitor}'s 'live in a week' pitch.",
        "Implementation",
        ["migration"],
    ),
    (
        "{competitor} bundles training for free",
        "{competitor} includes two days of admin training in every deal. We charge for it, "
        "and buyers notice.",
        None,
        ["competitor", "training"],
    ),
    (
        "Card payments are capped too low for SMB upgrades",
        "The card payment limit stops SMB customers from upgrading online. "
        "They have to wait for an invoice, and some never come back.",
        "Billing",
        ["payments", "smb"],
    ),
    (
        "Renewal quotes arrive after the notice period",
        "Customers receive their renewal quote after their notice period has started, "
        "so they feel trapped. It sours the renewal conversation.",
        "Billing",
        ["renewals"],
    ),
    (
        "API rate limits come up in technical reviews",
        "Integration architects ask about our API limits in every technical review. "
        "The documented limit is lower than what {competitor} advertises.",
        "Product",
        ["api"],
    ),
    (
        "Freight costs to remote sites surprise customers",
        "Remote sites pay a freight surcharge nobody mentions at quote time. "
        "Customers find out on the invoice.",
        "Shipping & Logistics",
        ["shipping", "pricing"],
    ),
    (
        "Buyers ask whether we are ISO 27001 certified",
        "Public sector tenders now require ISO 27001. We answer 'in progress' — "
        "is there a date we can give?",
        None,
        ["security", "compliance"],
    ),
    (
        "Customers praise the weekend support cover",
        "Three customers mentioned the weekend support team in QBRs this month. "
        "One called it the reason they renewed.",
        "Customer Support",
        ["praise", "support"],
    ),
    (
        "Reference customers are hard to find in healthcare",
        "Healthcare buyers want a reference in their sector. We have one, and it has been "
        "asked {n} times this quarter.",
        None,
        ["references"],
    ),
    (
        "The quote tool rounds discounts the wrong way",
        "The quoting tool rounds the discount to the customer's favour on every line. "
        "On a large order it adds up to a few hundred dollars.",
        "Billing",
        ["quoting"],
    ),
    (
        "Implementation partners overbook our joint projects",
        "Our implementation partners take on more projects than they can staff. "
        "Customers blame us for the delays.",
        "Implementation",
        ["partners", "onboarding"],
    ),
    (
        "Customers want returns collected, not dropped off",
        "Customers with heavy equipment ask us to collect returns. Today they have to "
        "drop them at a depot, sometimes hours away.",
        "Shipping & Logistics",
        ["returns"],
    ),
    (
        "Roadmap slides show dates product never confirmed",
        "The sales roadmap deck shows {feature} in {quarter}. Product tells me there is "
        "no committed date. Which one do I tell customers?",
        "Product",
        ["roadmap"],
    ),
]

# (title, body, outcome, reason branch, tags)
WIN_LOSS = [
    (
        "Lost {account} to {competitor} on price",
        "{competitor} came in 25% lower and matched our feature list on paper. "
        "Procurement would not look past the price.",
        "lost",
        "price",
        ["pricing", "competitor"],
    ),
    (
        "Lost {account}: implementation timeline too long",
        "They needed to be live before their peak season. Our plan said {weeks} weeks; "
        "{competitor} promised four.",
        "lost",
        "delivery",
        ["onboarding"],
    ),
    (
        "Lost {account}: no {feature}",
        "The security team made **{feature}** a hard requirement. We could not give them a date.",
        "lost",
        "product",
        ["product-gap"],
    ),
    (
        "Lost {account} after our champion left",
        "Our sponsor moved to another company in the final month. "
        "The new director restarted the evaluation and chose the incumbent.",
        "lost",
        "relationship",
        ["champion"],
    ),
    (
        "Lost {account}: a reference call on delivery went badly",
        "Their reference call was with a customer whose last two deliveries were late. "
        "That was the end of it.",
        "lost",
        "delivery",
        ["references", "shipping"],
    ),
    (
        "Lost {account} in procurement over payment terms",
        "They require net-90 terms. Finance would not go beyond net-45, "
        "and {competitor} agreed to net-90.",
        "lost",
        "price",
        ["payment-terms"],
    ),
    (
        "Lost {account}: support hours did not fit",
        "Their operations run 24/7. Our support covers business hours only "
        "unless they buy the premium plan, which broke the budget.",
        "lost",
        "delivery",
        ["support-hours"],
    ),
    (
        "Lost {account} to an in-house build",
        "Their IT team convinced the board to build it themselves. "
        "We never met the CTO, which I now think was the real mistake.",
        "lost",
        "other",
        ["build-vs-buy"],
    ),
    (
        "Lost {account}: the security review stalled for six weeks",
        "Our security answers took {weeks} weeks. By then {competitor} had passed the "
        "review and the budget was committed.",
        "lost",
        "product",
        ["security"],
    ),
    (
        "Lost {account}: they had heard about our late deliveries",
        "The buyer knows two of our customers and had heard about their delivery delays. "
        "No discount could change that.",
        "lost",
        "delivery",
        ["shipping", "reputation"],
    ),
    (
        "Lost {account}: {competitor} offered a free pilot",
        "{competitor} offered a free three-month pilot. We asked for a paid one.",
        "lost",
        "price",
        ["pilot", "competitor"],
    ),
    (
        "Lost {account}: no integration with their ERP",
        "They run an ERP we do not integrate with. The workaround meant manual exports "
        "every day, and they said no.",
        "lost",
        "product",
        ["integration"],
    ),
    (
        "Lost the renewal at {account} after billing errors",
        "Three wrong invoices in a year. The CFO told me the product is fine but they "
        "cannot trust our billing.",
        "lost",
        "delivery",
        ["billing", "renewals"],
    ),
    (
        "Won {account} against {competitor}",
        "The side-by-side demo decided it: our reporting did in ten minutes what took "
        "{competitor} an afternoon.",
        "won",
        "product",
        ["competitor", "demo"],
    ),
    (
        "Won {account}: a fast onboarding plan sealed it",
        "We showed a day-by-day onboarding plan with named people. "
        "The buyer said nobody else had been that concrete.",
        "won",
        "delivery",
        ["onboarding"],
    ),
    (
        "Won {account} on support quality",
        "Their reference calls all praised our support team. That outweighed a higher price.",
        "won",
        "delivery",
        ["support", "praise"],
    ),
    (
        "Won {account} with a three-year deal",
        "A three-year term with a price lock won it. Finance approved a 12% discount "
        "in exchange for the longer commitment.",
        "won",
        "price",
        ["multi-year"],
    ),
    (
        "Won back {account} after last year's loss",
        "They left us for {competitor} last year and came back: "
        "the migration promised to them never happened.",
        "won",
        "relationship",
        ["win-back", "competitor"],
    ),
    (
        "Won {account}: the reference call did it",
        "Their COO spoke to one of our customers in the same industry for an hour. "
        "We signed the next week.",
        "won",
        "relationship",
        ["references"],
    ),
    (
        "Won {account} despite a higher price",
        "We were 15% more expensive. The buyer chose us for the product roadmap and "
        "the quality of the demo.",
        "won",
        "product",
        ["pricing"],
    ),
    (
        "Won {account}: {feature} was the deciding factor",
        "**{feature}** was the deciding factor. {competitor} could only offer it "
        "as a custom project.",
        "won",
        "product",
        ["product"],
    ),
    (
        "Won an expansion at {account}",
        "They added two more sites after a year of smooth deliveries. "
        "The operations manager asked for the same account team.",
        "won",
        "relationship",
        ["expansion"],
    ),
    (
        "{account} paused the project: budget frozen",
        "A company-wide budget freeze stopped every new project. "
        "They want to restart in {quarter}.",
        "no_decision",
        "other",
        ["budget"],
    ),
    (
        "No decision at {account} after a reorganisation",
        "A reorganisation moved the project to a new department. Nobody there owns it yet.",
        "no_decision",
        "relationship",
        ["reorg"],
    ),
    (
        "{account} stays on spreadsheets for now",
        "They decided the change is too big this year and will keep their spreadsheets.",
        "no_decision",
        "other",
        ["status-quo"],
    ),
    (
        "{account} postponed to the next fiscal year",
        "They like the solution but the price does not fit this year's budget. "
        "Back in touch in {quarter}.",
        "no_decision",
        "price",
        ["budget", "pricing"],
    ),
    (
        "{account} evaluation: we are behind {competitor} on {feature}",
        "Final two vendors. {competitor} demonstrated {feature}; we showed slides. "
        "I need product on the next call.",
        "open",
        "product",
        ["product-gap", "competitor"],
    ),
    (
        "{account} final round: delivery dates are the question",
        "They ask for a written delivery commitment with penalties. "
        "Can operations commit to our catalog lead times in writing?",
        "open",
        "delivery",
        ["shipping", "contracts"],
    ),
    (
        "{account} asks for a price match against {competitor}",
        "They have a written offer from {competitor}, 18% below ours. Decision in two weeks.",
        "open",
        "price",
        ["pricing", "competitor"],
    ),
    (
        "{account} shortlist: they want a site visit",
        "We are on the shortlist of two. They want to visit a customer site running "
        "our solution before they decide.",
        "open",
        "relationship",
        ["references"],
    ),
]

# (title, promised, body, responsible team, basis, basis detail, tags)
BROKEN_PROMISES = [
    (
        "Delivery to {account} took {days} days instead of 5",
        "Delivery within 5 working days of the order",
        "The order left the warehouse on day {days}. {contact} called me twice; "
        "the second time to say they are reviewing the contract.",
        "Shipping & Logistics",
        "catalog",
        "",
        ["shipping", "late-delivery"],
    ),
    (
        "Express shipment to {account} went by standard freight",
        "Next-day express delivery",
        "They paid for express. The parcel went by standard freight and arrived "
        "{days} days later — after their go-live event.",
        "Shipping & Logistics",
        "policy",
        "Express shipping policy, rev. 3",
        ["shipping", "express"],
    ),
    (
        "Installation crew never showed up at {account}",
        "On-site installation on the delivery day",
        "The hardware arrived, the crew did not. {contact} had booked a room full of "
        "staff for the day.\n\n- no call from the installer\n- no new date yet",
        "Shipping & Logistics",
        "person",
        "Confirmed by the logistics coordinator on the phone",
        ["installation"],
    ),
    (
        "{account} received the wrong hardware revision",
        "Rev C units with the new power supply",
        "They received Rev B units, which do not fit their racks. "
        "The datasheet I gave them shows Rev C.",
        "Shipping & Logistics",
        "brochure",
        "Hardware datasheet 2025, page 4",
        ["hardware", "shipping"],
    ),
    (
        "No tracking number sent to {account}",
        "Tracking details within 24 hours of dispatch",
        "{contact} has no tracking details {days} days after dispatch "
        "and keeps asking me where the order is.",
        "Shipping & Logistics",
        "policy",
        "Customer communication policy",
        ["shipping", "tracking"],
    ),
    (
        "Returns pickup at {account} missed twice",
        "Returns collected within 3 working days",
        "The carrier missed the pickup twice. The faulty units are blocking their loading dock.",
        "Shipping & Logistics",
        "catalog",
        "",
        ["returns"],
    ),
    (
        "{account} invoiced twice for the same quarter",
        "One consolidated quarterly invoice",
        "They received two invoices for the same quarter, both with payment reminders. "
        "{contact} asked whether we have any controls at all.",
        "Billing",
        "person",
        "Agreed with the billing team during contracting",
        ["billing", "invoices"],
    ),
    (
        "Credit note for {account} still missing after {weeks} weeks",
        "A credit note within 10 working days",
        "The credit note for the damaged shipment was approved {weeks} weeks ago "
        "and never issued. Their accounts payable is holding all our invoices.",
        "Billing",
        "policy",
        "Credit note policy",
        ["billing", "credit-notes"],
    ),
    (
        "{account} billed at list price despite the signed discount",
        "The 15% multi-year discount in the order form",
        "The first invoice ignored the discount in the signed order form. "
        "It reads like we tried to overcharge them.",
        "Billing",
        "other",
        "Signed order form, section 3",
        ["billing", "discounts"],
    ),
    (
        "Net-60 payment terms not applied for {account}",
        "Net-60 payment terms",
        "Their invoice says net-30 and they received a dunning letter on day 31.",
        "Billing",
        "person",
        "Approved by the finance controller by e-mail",
        ["billing", "payment-terms"],
    ),
    (
        "{account} charged in USD instead of EUR",
        "Invoices in EUR",
        "Invoices arrive in USD although the contract is in EUR. "
        "Their bank charges them conversion fees every month.",
        "Billing",
        "other",
        "Contract currency clause",
        ["billing", "currency"],
    ),
    (
        "Auto-renewal charged {account} after they cancelled",
        "No renewal after a written cancellation",
        "They cancelled in writing {weeks} weeks before renewal and were still charged. "
        "Refund requested, no answer yet.",
        "Billing",
        "policy",
        "Terms of service, section 9",
        ["billing", "renewals"],
    ),
    (
        "{account} waited {days} hours for a P1 response",
        "1-hour response on P1 tickets",
        "Their production system was down and the first human answer came "
        "{days} hours later. {contact} escalated to their CEO.",
        "Customer Support",
        "catalog",
        "",
        ["support", "sla"],
    ),
    (
        "Weekend support line unanswered for {account}",
        "Weekend phone support",
        "They called the weekend line four times on Saturday. Nobody answered.",
        "Customer Support",
        "brochure",
        "Support plans brochure, premium tier",
        ["support", "support-hours"],
    ),
    (
        "No named support contact assigned to {account}",
        "A named support engineer from day one",
        "Two months after go-live they still open tickets into the general queue "
        "and explain their setup every time.",
        "Customer Support",
        "person",
        "Promised by the support lead in the final presentation",
        ["support", "enterprise"],
    ),
    (
        "{account} ticket closed without a fix",
        "Tickets stay open until the customer confirms the fix",
        "Their ticket was closed as 'resolved' while the problem still happens daily.",
        "Customer Support",
        "policy",
        "Support policy",
        ["support"],
    ),
    (
        "Spanish-language support not available for {account}",
        "Spanish-language support",
        "The brochure lists Spanish support. Their team got English-only answers "
        "and a machine-translated knowledge base.",
        "Customer Support",
        "brochure",
        "LATAM support brochure",
        ["support", "localisation"],
    ),
    (
        "Service reviews with {account} cancelled three times",
        "Quarterly service reviews",
        "The quarterly service review was cancelled three times by our side. "
        "{contact} stopped rescheduling.",
        "Customer Support",
        "person",
        "Customer success manager",
        ["support", "qbr"],
    ),
    (
        "{feature} still missing for {account}, promised for {quarter}",
        "{feature} by the end of {quarter}",
        "They signed because of the {quarter} date for {feature}. "
        "It has passed and there is no new date.",
        "Product",
        "person",
        "Product manager on the final call",
        ["roadmap", "product-gap"],
    ),
    (
        "Roadmap date for {feature} slipped again — {account} escalating",
        "{feature} generally available in {quarter}",
        "Second slip of the date on the roadmap slides. "
        "{contact} now asks for a contractual penalty.",
        "Product",
        "brochure",
        "Roadmap deck shared with customers",
        ["roadmap"],
    ),
    (
        "{account} cannot export their data as promised",
        "A full CSV export of all records",
        "The export skips attachments and custom fields. "
        "Their auditors need the full export by month end.",
        "Product",
        "brochure",
        "Product datasheet, data ownership section",
        ["data-export"],
    ),
    (
        "API limits throttle {account} below the agreed volume",
        "10,000 API calls per hour",
        "They are throttled at about 2,000 calls per hour; their nightly sync "
        "now runs into the working day.",
        "Product",
        "catalog",
        "",
        ["api"],
    ),
    (
        "SSO setup for {account} still not possible",
        "SAML single sign-on at go-live",
        "Go-live was {weeks} weeks ago and SSO still does not work with their "
        "identity provider. Users share passwords meanwhile.",
        "Product",
        "person",
        "Solutions engineer during the technical review",
        ["security", "sso"],
    ),
    (
        "Mobile app still has no offline mode for {account}",
        "Offline mode in the mobile app",
        "Their field technicians work in basements without signal. "
        "Offline mode was in the brochure; it is not in the app.",
        "Product",
        "brochure",
        "Mobile brochure",
        ["mobile"],
    ),
    (
        "Go-live for {account} slipped {weeks} weeks",
        "Go-live within 30 days of signature",
        "The project started late and then waited for a consultant. "
        "They are now {weeks} weeks behind the date in the order form.",
        "Implementation",
        "catalog",
        "",
        ["onboarding", "go-live"],
    ),
    (
        "Data migration for {account} left out two years of history",
        "Full migration of historical records",
        "Only the last year was migrated. Their reporting starts from scratch, "
        "which is exactly what they wanted to avoid.",
        "Implementation",
        "person",
        "Implementation consultant in the scoping call",
        ["migration"],
    ),
    (
        "Kick-off for {account} scheduled a month late",
        "Kick-off within 5 working days of signature",
        "The kick-off was booked a month after signature. "
        "{contact} asked whether we have the capacity we sold.",
        "Implementation",
        "catalog",
        "",
        ["onboarding"],
    ),
    (
        "Training for {account} cancelled at short notice",
        "Three on-site training sessions",
        "Two of the three sessions were cancelled the day before. "
        "Forty people had blocked their calendars.",
        "Implementation",
        "person",
        "Included in the statement of work",
        ["training"],
    ),
    (
        "{account}'s project manager changed three times",
        "One dedicated project manager",
        "Three project managers in {weeks} weeks. Each one asked the customer "
        "to explain the requirements again.",
        "Implementation",
        "brochure",
        "Implementation services brochure",
        ["onboarding"],
    ),
    (
        "ERP integration for {account} not delivered",
        "ERP integration in the implementation scope",
        "The integration is in the signed scope. Implementation now says it is "
        "a separate project with a separate price.",
        "Implementation",
        "policy",
        "Statement of work, section 2.4",
        ["integration"],
    ),
]

PUBLIC_COMMENTS = [
    "Same at {account} last month.",
    "We see this in our region too — two customers raised it this week.",
    "Thanks for writing this up. {contact} told me almost the same story.",
    "Any update? The customer asked me again today.",
    "+1, this cost me a deal in {quarter}.",
    "I shared the workaround from the knowledge base; it helped a bit.",
    "Customer confirmed the problem is still there.",
]
OPS_COMMENTS = [
    "Thanks — we are looking into it and will update this post.",
    "We have contacted the customer directly and apologised.",
    "This is a known gap. We are working on a fix.",
    "Can you send the order or ticket number? We cannot find it under the account name.",
    "The process changed last week; this should not happen again. Tell us if it does.",
]
INTERNAL_NOTES = [
    "Internal: same root cause as two other reports this month; grouping them.",
    "Internal: the team is two people short this quarter. Prioritising enterprise accounts.",
    "Internal: do not promise the customer a date yet.",
    "Internal: escalated to the sponsor; decision expected this week.",
    "Internal: check the contract before we offer a credit.",
    "Internal: the vendor behind this is on notice; expect more of these until it is replaced.",
]
CORROBORATION_NOTES = [
    "Same problem at another account of mine.",
    "Happened to two of my customers this quarter.",
    "Also seen in my region.",
    "",
    "",
]
NEEDS_INFO = [
    "Which contact said this, and when?",
    "Can you add the customer's own words?",
    "Please attach the e-mail or your notes from the call.",
]
DECLINED = [
    "Out of scope for operations: a product decision, passed to product management.",
    "Covered by an existing change request; see the roadmap.",
    "Not enough detail to act on after two requests for information.",
]
