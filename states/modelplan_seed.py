"""The modelplan as the seed words it (MP): sections, questions and the fourteen basiseisen.

Dutch text as printed in "Definities en uitgangspunten voor totstandkoming modelplannen",
each question linked to its basiseis where the seed links it and flagged where the seed asks
for (supra-)regional context. Pure data: the checks live in `states.modelplan`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

REGIONAL_CONTEXT = "[aanvulling met (boven-)regio-context]"


@dataclass(frozen=True)
class Basiseis:
    """One of the basic requirements every application must meet (MP, Opname basiseisen)."""

    number: int
    title: str
    explanation: str


_BASISEISEN = (
    Basiseis(1, "Impact op arbeidsinzet",
             "Inzetten op het verhogen van de productiviteit en/of het verlagen van de zorgvraag."),
    Basiseis(2, "Positieve business case",
             "Een positieve business case die bijdraagt aan AZWA-transitiedoelen."),
    Basiseis(3, "Executiekraacht en gelijkgerichtheid",
             "Leiden tot aantoonbare borging van uitvoering in implementatieplan."),
    Basiseis(4, "Tijdige besteding", "De middelen worden besteed in 2027 en 2028."),
    Basiseis(5, "Structurele inbedding effecten",
             "De inzet van de middelen moet leiden tot duurzame en structurele effecten."),
    Basiseis(6, "Toegevoegde waarde",
             "Er moet een duidelijke onderbouwing zijn voor de inzet doorbraakmiddelen."),
    Basiseis(7, "In lijn met wetgeving en landelijk beleid",
             "In lijn zijn met wetgeving (Zvw, WMO 2015, mededingingswet, wetgeving t.a.v. "
             "informatiebeveiliging en privacy, etc.) landelijk beleid ((inter-)nationale "
             "keuzes/standaarden m.b.t. digi-/datastructuren, platformen, toepassingen) en "
             "synergie met landelijke programma's zoals Digizo.nu, LDN, Twiin, Medmij, Cumuluz "
             "doelarchitectuur)."),
    Basiseis(8, "Éénmalige financiële impuls",
             "De concrete toepassing komt niet van de grond zonder eenmalige investering (deze "
             "vereiste geldt niet voor de 2x100 miljoen). Er moet beschreven worden hoe de "
             "eenmalige financiële impuls na afloop geborgd wordt via reguliere exploitatie en "
             "contractering."),
    Basiseis(9, "Besparing ondanks structurele kosten",
             "Als er sprake is van structurele kosten bij implementatie van het project, moet de "
             "onderbouwde besparing minstens zo hoog zijn."),
    Basiseis(10, "Randvoorwaarden (t.a.v. gegevensuitwisseling en databeschikbaarheid)",
             "Er moet onderbouwd zijn hoe eventuele randvoorwaardelijke aspecten (ten aanzien van "
             "gegevensuitwisseling) worden gerealiseerd, in lijn met de route-/actiekaart zoals "
             "overeengekomen op het Bestuurlijk Overleg IZA-AZWA van 28 januari 2026 in "
             "Maastricht, zodat de impact binnen de beschreven termijnen verzilverd kan worden. "
             "Ook randvoorwaarden met betrekking tot databeschikbaarheid, data-kwaliteit, "
             "gestructureerde vastlegging, open standaarden en interoperabiliteit en koppeling "
             "met bestaande systemen moeten zijn geborgd. Er wordt concreet benoemd welke "
             "randvoorwaardelijke aspecten op het vlak van datakwaliteit en databeschikbaarheid "
             "moeten worden gerealiseerd om de toepassing succesvol te kunnen laten "
             "functioneren, zodat de impact binnen de beschreven termijnen behaald kan worden. "
             "Dit omvat minimaal: afhankelijkheden (bijv. bronsysteemkoppelingen), datakwaliteit "
             "& eenheid van taal en inzet generieke functies"),
    # The seed's explanation of BE11 breaks off after "en niet"; it is kept as printed.
    Basiseis(11, "Impact op de markt",
             "Er moet worden beschreven hoe op lange termijn voorkomen wordt dat er ongewenste "
             "marktversturende effecten optreden. Bij de keuze voor concrete toepassingen wordt "
             "er gekeken naar functionaliteiten, specialisaties en randvoorwaarden, en niet"),
    Basiseis(12, "Gezamenlijke aanvragen",
             "Aanvragen voor doorbraakmiddelen voor concrete toepassingen worden gedaan door "
             "samenwerkende partijen (aanvragen van individuele aanbieders worden niet "
             "gehonoreerd, tenzij bij de uitwerking van het modelplan blijkt dat een gezamenlijke "
             "aanvraag meer nadelen dan voordelen heeft)"),
    Basiseis(13, "Randvoorwaarden (veranderkundige ondersteuning)",
             "Randvoorwaarden met betrekking tot scholing en veranderkundige ondersteuning zijn "
             "opgenomen in de modelplannen om in aanmerking te komen voor financiering uit de "
             "doorbraakmiddelen. Over de hoogte en omvang wordt nog nader besloten."),
    Basiseis(14, "Randvoorwaarden (samenwerking en bekostiging)",
             "Randvoorwaarden met betrekking tot eventuele samenwerking in de keten (indien van "
             "toepassing) en passende bekostiging moeten zijn geborgd."),
)
BASISEISEN: Mapping[int, Basiseis] = MappingProxyType({b.number: b for b in _BASISEISEN})


@dataclass(frozen=True)
class Question:
    """A question of the modelplan; `text` is the seed's wording without the regional marker.

    `regional_context` marks the questions the seed asks to complete with the (supra-)regional
    context; `if_applicable` the two the seed lists apart as "Slechts indien van toepassing".
    """

    key: str
    label: str
    text: str
    basiseis: int | None = None
    regional_context: bool = False
    if_applicable: bool = False


@dataclass(frozen=True)
class Section:
    """A section of the modelplan (MP §I, §II) with its questions in the seed's order."""

    key: str
    title: str
    questions: tuple[Question, ...]
    basiseis: int | None = None

    def question_keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)


_Q = Question
SECTIONS: tuple[Section, ...] = (
    Section("probleemdefinitie", "Probleemdefinitie", (
        _Q("probleemstelling", "Probleemstelling", "Wat houdt de concrete toepassing/het "
          "toepassingsgebied in en welk probleem is er?", regional_context=True),
        _Q("doelstelling", "Doelstelling",
          "Welk doel streeft deze toepassing na? Wat is het eindresultaat?"),
        _Q("oplossing", "Oplossing", "Hoe lost deze toepassing dit probleem op?"),
        _Q("oplossing_deel", "Oplossing",
          "Welk deel van het probleem lost het investeren in deze toepassing op?"),
    )),
    Section("afbakening", "Afbakening", (
        _Q("scope", "Scope", "Wat valt er binnen de scope van deze toepassing?"),
    )),
    Section("aanpak_en_organisatie", "Aanpak en organisatie", (
        _Q("uitgangspunten_aanpak", "Uitgangspunten aanpak",
          "Welke inhoudelijke keuzes geven richting aan de aanpak?", regional_context=True),
        _Q("organisatie", "Organisatie",
          "Wie zijn er betrokken? Is het een gezamenlijke aanvraag?", 12, regional_context=True),
        _Q("governance", "Governance",
          "Wat is een passende structuur voor overleg en besluitvorming?",
          regional_context=True),
        _Q("executiekracht", "Executiekraacht/haalbaarheid", "In hoeverre is er voldoende "
          "executiekraacht aanwezig om de gemaakte plannen daadwerkelijk en tijdig te "
          "realiseren?", 3, regional_context=True),
        _Q("wetgeving_en_beleid", "In lijn met wetgeving/landelijk beleid",
          "Hoe is de toepassing in lijn met wetgeving, (inter-)nationale keuzes voor beleid "
          "en/of VWS I-beleid?", 7),
        _Q("technologie_en_gedrag", "Technologie en gedrag", "Hoe wordt bij de implementatie "
          "van een technologische toepassing expliciet aandacht besteed aan de "
          "gedragsveranderingscomponent bij gebruikers? (bv. m.b.t. AI-readiness)"),
        _Q("adoptiemechanismen", "Adoptiemechanismen", "Hoe wordt bij de implementatie van de "
          "technologische toepassing expliciet aandacht besteed aan adoptiemechanismen? "
          "(bv. m.b.t. AI-readiness)"),
        _Q("planning", "Planning", "Wat moet er wanneer gebeuren?", regional_context=True),
    )),
    Section("business_case", "Positieve business case (zoveel mogelijk normerend)", (
        _Q("impact_arbeid", "Beoogde impact (arbeid)",
          "Wat zijn de effecten op arbeidsbesparing (fte per miljoen euro)?", 1),
        _Q("impact_kosten", "Beoogde impact (kosten)", "Wat zijn de effecten op kosten?"),
        _Q("impact_kosten_structureel", "Beoogde impact (kosten)", "Indien structurele kosten: "
          "is de onderbouwde besparing van het plan minstens zo hoog?", 9),
        _Q("impact_indirect", "Beoogde impact (indirect)", "Wat zijn de indirecte effecten?",
          regional_context=True),
        _Q("impact_kwaliteit", "Beoogde impact (kwaliteit)", "Indien de zorg anders "
          "georganiseerd wordt, hoe wordt negatieve impact voor patiënten/cliënten voorkomen?"),
        _Q("impact_administratieve_lasten", "Beoogde impact (administratieve lasten)",
          "Hoe wordt administratieve lastenverzwaring (verderop in de keten) voorkomen?"),
        _Q("structurele_inbedding", "Structurele inbedding",
          "Hoe worden de effecten structureel ingebed?", 5),
        _Q("toegevoegde_waarde", "Toegevoegde waarde",
          "Waarom zijn de doorbraakmiddelen van toegevoegde waarde?", 6),
        _Q("veranderende_zorgprocessen", "Veranderende zorgprocessen", "Zijn niet-vrijblijvende "
          "afspraken over het veranderen van zorgprocessen (van fte en organisatiekosten) "
          "onderdeel van het plan evenals transparantie over de realisatie van die afspraken?"),
    ), basiseis=2),
    Section("financien", "Financiën (zoveel mogelijk normerend)", (
        _Q("begroting", "Begroting", "Hoeveel financiering is er nodig en waar gaat dit naartoe?"),
        _Q("begroting_per_jaar", "Begroting", "Is de begroting uitgesplitst naar jaartallen?"),
        _Q("begroting_personeel_materieel", "Begroting",
          "Is de begroting uitgesplitst naar personele en materiële lasten?"),
        _Q("type_kosten", "Type kosten", "Wat is het onderscheid tussen incidentele "
          "kosten/investeringskosten en structurele kosten?"),
        _Q("eenmalige_impuls", "Éénmalige financiële impuls", "Waarom komt deze toepassing niet "
          "van de grond zonder een eenmalige financiële impuls?", 8),
        _Q("tijdige_besteding", "Tijdige besteding",
          "Hoe worden de middelen tijdig besteed (in 2027 en 2028)?", 4),
        _Q("verdeling", "Verdeling", "Indien van toepassing: Hoe worden doorbraakmiddelen "
          "verdeeld over betrokken sectoren en/of partijen?"),
        _Q("dubbele_financiering", "Dubbele financiering", "Is er geen sprake van dubbele "
          "financiering dan wel financiering van zaken waarvoor andere gealloceerde middelen "
          "beschikbaar zijn? Is er geen sprake geweest van eerdere financiering via de "
          "IZA-transformatiemiddelen en/of subsidieregelingen?"),
        _Q("bedrag_per_zorgaanbieder", "", "Onderbouwing van het bedrag per zorgaanbieder, zodat "
          "de middelen die aangevraagd worden door een samenwerkingscoalitie wel toegedeeld "
          "kunnen worden naar individuele aanbieders (i.v.m. BTW)"),
    )),
    Section("monitoring_en_bijsturing", "Monitoring en bijsturing", (
        _Q("mijlpalen_en_kpis", "Monitoring", "Wat zijn de mijlpalen en KPI's, met specifieke "
          "aandacht voor de zorgtransformatie en streefdata? Hoe en welke mijlpalen/KPI's worden "
          "gefinancierd en gemonitord? Is er sprake van een meetplan?"),
        _Q("werkdrukvermindering", "Monitoring",
          "Hoe wordt werkdrukvermindering gemeten bij implementatie?"),
        _Q("opschaling", "Monitoring", "Wanneer is volledige opschaling geslaagd (iedere "
          "instelling vs. iedere gebruiker werkt met toepassing)?"),
        _Q("bijsturing", "Bijsturing",
          "Wat zijn de manieren om bij te sturen als het project niet volgens plan verloopt?"),
    )),
    Section("randvoorwaarden_en_risicos", "Randvoorwaarden en risico's", (
        _Q("randvoorwaarden_breed", "Randvoorwaarden (breed)", "Aan welke aanvullende "
          "randvoorwaarden moet worden voldaan? (om tot uitvoering te komen)?",
          regional_context=True),
        _Q("gegevensuitwisseling_en_databeschikbaarheid",
          "Randvoorwaarden (gegevensuitwisseling & databeschikbaarheid)", "Hoe worden specifieke "
          "randvoorwaardelijke aspecten t.a.v. gegevensuitwisseling en databeschikbaarheid "
          "gerealiseerd (in lijn met de afspraken uit het BO IZA-AZWA d.d. 28 januari 2026 in "
          "Maastricht), als dit nodig is om de aangegeven baten binnen de beoogde termijn te "
          "verzilveren en direct van toepassing is op het betreffende initiatief?", 10),
        _Q("veranderkundige_ondersteuning", "Randvoorwaarden (veranderkundige ondersteuning)",
          "Hoe worden randvoorwaarden m.b.t. scholing en veranderkundige ondersteuning "
          "geborgd?", 13),
        _Q("samenwerking_keten_en_bekostiging",
          "Randvoorwaarden (samenwerking keten en bekostiging)",
          "Hoe wordt samenwerking in de keten en passende bekostiging georganiseerd?", 14),
        _Q("synergie", "Synergie", "Welke potentiële synergie met andere ontwikkelingen ontstaat "
          "er?"),
        _Q("risicos", "Risico's", "Wat zijn de risico's bij de uitvoering?"),
        _Q("impact_op_de_markt", "Impact op de markt", "Is het aannemelijk dat er op de lange "
          "termijn (ongewenste) marktversturende effecten optreden? (Hoe) kunnen er eventuele "
          "'lock-in' effecten worden voorkomen?", 11, if_applicable=True),
        _Q("duurzaamheid", "Duurzaamheid",
          "Wat is de impact van de doorbraak/het plan op de duurzaamheid in de zorg?",
          if_applicable=True),
    )),
)
SECTION_BY_KEY: Mapping[str, Section] = MappingProxyType({s.key: s for s in SECTIONS})
