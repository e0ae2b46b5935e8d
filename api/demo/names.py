"""Norwegian names and places: the demo's participants and employer contacts, its employers
and industries, and where meetings take place. No text names a diagnosis or a treatment."""

from __future__ import annotations

FIRST_NAMES = (
    "Anders",
    "Line",
    "Thomas",
    "Kristin",
    "Henrik",
    "Silje",
    "Øyvind",
    "Camilla",
    "Espen",
    "Hanne",
    "Martin",
    "Nina",
    "Stian",
    "Ida",
    "Lars",
    "Maria",
    "Eirik",
    "Tone",
    "Kjetil",
    "Marius",
    "Ane",
    "Sigurd",
    "Hilde",
    "Fredrik",
    "Mona",
    "Jørgen",
    "Lene",
    "Vegard",
    "Amina",
    "Ali",
    "Piotr",
    "Sofie",
    "Håkon",
    "Guro",
    "Even",
    "Randi",
)

LAST_NAMES = (
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Halvorsen",
    "Lund",
    "Moen",
    "Strand",
    "Solheim",
    "Brekke",
    "Vik",
    "Myklebust",
    "Hauge",
    "Sæther",
    "Fosse",
    "Rasmussen",
    "Nowak",
)
# More names, for data sets larger than one team (bench/national.py draws from both).
MORE_FIRST_NAMES = ("Emma", "Jonas", "Nora", "Ole", "Sara", "Magnus", "Ingrid", "Aksel", "Maja")
MORE_LAST_NAMES = ("Ahmed", "Bakke", "Lie", "Aas")

# name, industry, street address (Bergen area)
EMPLOYERS = (
    ("Nygårdshøyden Dagligvare AS", "Dagligvare", "Nygårdsgaten 31, 5015 Bergen"),
    ("Fana Matsenter AS", "Dagligvare", "Østre Nesttunvegen 4, 5221 Nesttun"),
    ("Laksevåg Nærbutikk AS", "Dagligvare", "Damsgårdsveien 120, 5160 Laksevåg"),
    ("Bryggen Hotelldrift AS", "Hotell og restaurant", "Bryggen 7, 5003 Bergen"),
    ("Kafé Sjøboden AS", "Hotell og restaurant", "Strandkaien 2, 5013 Bergen"),
    ("Fløyen Kantine og Catering AS", "Hotell og restaurant", "Kalfarveien 31, 5018 Bergen"),
    ("Vestbygg Entreprenør AS", "Bygg og anlegg", "Kanalveien 54, 5068 Bergen"),
    ("Sotra Tak og Fasade AS", "Bygg og anlegg", "Sartorvegen 12, 5353 Straume"),
    ("Bergen Malerservice AS", "Bygg og anlegg", "Wergelandsveien 9, 5011 Bergen"),
    ("Kokstad Lager og Logistikk AS", "Lager og logistikk", "Kokstaddalen 20, 5257 Kokstad"),
    ("Vestlandsfrakt AS", "Lager og logistikk", "Sandviksveien 80, 5035 Bergen"),
    ("Hordaland Grossist AS", "Lager og logistikk", "Liamyrane 6, 5132 Nyborg"),
    (
        "Fyllingsdalen Omsorgssenter",
        "Helse og omsorg",
        "Folke Bernadottes vei 40, 5147 Fyllingsdalen",
    ),
    ("Solstrand Bofellesskap AS", "Helse og omsorg", "Hamreveien 3, 5221 Nesttun"),
    ("Sentrum Renhold AS", "Renhold", "Kong Oscars gate 18, 5017 Bergen"),
    ("Vestrent Renholdsservice AS", "Renhold", "Fabrikkgaten 5, 5059 Bergen"),
    ("Sykkelhuset Bergen AS", "Varehandel", "Vestre Torggaten 14, 5015 Bergen"),
    ("Vestlandske Gjenbruk AS", "Varehandel", "Møhlenprisbakken 1, 5006 Bergen"),
    ("Torget Interiør AS", "Varehandel", "Torgallmenningen 8, 5014 Bergen"),
    ("Nordnes Bakeri AS", "Bakeri og næringsmiddel", "Nordnesgaten 22, 5005 Bergen"),
    ("Danmarksplass Bilpleie AS", "Bilpleie og verksted", "Fjøsangerveien 30, 5054 Bergen"),
    ("Bergen Kinodrift AS", "Kultur og fritid", "Neumanns gate 3, 5015 Bergen"),
    ("Grønn Hage Anleggsgartner AS", "Grøntanlegg", "Ytre Arna 11, 5265 Ytre Arna"),
    ("Kontorhjelpen Vest AS", "Kontor og administrasjon", "Lars Hilles gate 19, 5008 Bergen"),
    ("Møllendal Bryggeri AS", "Industri", "Møllendalsveien 17, 5009 Bergen"),
)

# industry -> (what a participant says they want, [(job title, job type), ...])
INDUSTRIES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "Dagligvare": (
        "jobb i butikk",
        (
            ("Butikkmedarbeider", "Butikkarbeid"),
            ("Varepåfyller", "Butikkarbeid"),
            ("Kassemedarbeider", "Butikkarbeid"),
        ),
    ),
    "Hotell og restaurant": (
        "jobb på kjøkken eller kafé",
        (
            ("Kjøkkenassistent", "Kjøkkenarbeid"),
            ("Oppvasker", "Kjøkkenarbeid"),
            ("Kafémedarbeider", "Servering"),
            ("Romassistent", "Renhold"),
        ),
    ),
    "Bygg og anlegg": (
        "praktisk arbeid på byggeplass",
        (("Hjelpearbeider", "Bygg og anlegg"), ("Malerhjelper", "Bygg og anlegg")),
    ),
    "Lager og logistikk": (
        "lagerarbeid",
        (
            ("Lagermedarbeider", "Lagerarbeid"),
            ("Plukker", "Lagerarbeid"),
            ("Sjåførassistent", "Transport"),
        ),
    ),
    "Helse og omsorg": (
        "arbeid med mennesker",
        (
            ("Assistent i bofellesskap", "Omsorgsarbeid"),
            ("Kantinemedarbeider", "Kjøkkenarbeid"),
            ("Vaktmesterassistent", "Vaktmester"),
        ),
    ),
    "Renhold": ("renhold, gjerne tidlig på dagen", (("Renholder", "Renhold"),)),
    "Varehandel": (
        "jobb i butikk",
        (
            ("Butikkmedarbeider", "Butikkarbeid"),
            ("Verkstedmedarbeider", "Håndverk"),
            ("Lagermedarbeider", "Lagerarbeid"),
        ),
    ),
    "Bakeri og næringsmiddel": (
        "jobb i bakeri",
        (("Bakeriassistent", "Produksjon"), ("Butikkmedarbeider", "Butikkarbeid")),
    ),
    "Bilpleie og verksted": ("arbeid med biler", (("Bilpleier", "Bilpleie"),)),
    "Kultur og fritid": ("jobb på kino eller i kulturlivet", (("Kinovert", "Kundeservice"),)),
    "Grøntanlegg": ("utendørs arbeid i park og hage", (("Gartnerassistent", "Grøntarbeid"),)),
    "Kontor og administrasjon": (
        "enkelt kontorarbeid",
        (("Kontormedarbeider", "Kontorarbeid"), ("Resepsjonist", "Kundeservice")),
    ),
    "Industri": ("produksjonsarbeid", (("Produksjonsmedarbeider", "Produksjon"),)),
}

COMMUNITY_PLACES = (
    "Kafé på Torgallmenningen",
    "Biblioteket i Strømgaten",
    "Kafé i Marken",
    "Hjemme hos deltakeren",
    "Gåtur langs Nordnes",
    "Kjøpesenteret på Lagunen",
    "Kafé på Åsane senter",
)

OFFICE_PLACES = ("Kontoret i Kaigaten", "NAV-kontoret")
