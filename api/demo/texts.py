"""What the demo's people write: career profiles, the purpose and outcome of employer contacts,
meeting notes, reviews and plan steps. Nothing mentions health."""

from __future__ import annotations

HOURS_WISHES = (
    "Vil begynne med 10 til 15 timer i uka.",
    "Ønsker dagtid, helst ikke helg.",
    "Kan jobbe kveld og helg.",
    "Vil gjerne opp i full stilling etter hvert.",
    "Ønsker rundt 20 timer i uka.",
    "Vil jobbe nær hjemmet eller langs bybanen.",
)

STRENGTHS = (
    "punktlig",
    "god med kunder",
    "liker praktisk arbeid",
    "nøyaktig",
    "god til å samarbeide",
    "lærer raskt",
    "har førerkort klasse B",
    "i god fysisk form",
    "rolig og strukturert",
    "snakker godt engelsk",
    "glad i matlaging",
    "flink med data",
    "pliktoppfyllende",
    "imøtekommende",
    "tålmodig",
)

EDUCATION = (
    "Videregående skole, studiespesialisering.",
    "Fagbrev som kokk.",
    "Påbegynt bachelor i historie.",
    "Grunnskole og ett år på videregående, byggfag.",
    "Videregående skole, salg og service.",
    "Truckførerbevis og kurs i varehandel.",
    "Fagbrev i logistikk.",
    "Videregående skole, helse- og oppvekstfag.",
)

WORK_HISTORY = (
    "Tre år som lagermedarbeider, sluttet for noen år siden. Sommerjobber på kafé.",
    "Avisbud og deltidsjobb i butikk ved siden av skolen.",
    "Har ikke hatt lønnet arbeid før; frivillig i idrettslaget i flere år.",
    "Jobbet fem år på restaurant, sist som kokk.",
    "To år som assistent i barnehage.",
    "Sesongarbeid på fiskeforedling og i gartneri.",
    "Vikar i renholdsbyrå i ett år.",
    "Kundeservice på telefon i to år.",
)

DISCLOSURE = (
    "Jobbspesialisten kan fortelle at deltakeren får oppfølging i jobbsøkingen, ikke mer.",
    "Vil selv fortelle arbeidsgiver det som trengs.",
    "Åpen om at det har vært et opphold i arbeidslivet; ingen detaljer.",
    "Ønsker at arbeidsgiver bare får vite at jobbspesialisten er en støtte i oppstarten.",
    "Vil ikke at IPS nevnes for arbeidsgiver før etter intervjuet.",
)

GENERAL_PURPOSES = (
    "Bli kjent med bedriften",
    "Kartlegge behov for arbeidskraft",
    "Følge opp tidligere besøk",
    "Spørre om sommerjobber",
    "Presentere jobbspesialistens rolle",
)

GENERAL_OUTCOMES = (
    "Ingen ledige stillinger nå; ta kontakt igjen om to måneder.",
    "Trenger folk til helgevakter; vil gjerne få CV-er.",
    "Hyggelig møte med daglig leder; åpen for å prøve deltidsstillinger.",
    "Ansetter før sommeren; avtalt nytt møte.",
    "Fikk en omvisning og snakket med verneombudet.",
    "Kontaktpersonen var opptatt; ringer igjen neste uke.",
    "Ønsker kandidater som kan jobbe tidlig morgen.",
)

CANDIDATE_OUTCOMES = (
    "Arbeidsgiver vil gjerne møte kandidaten.",
    "CV levert til daglig leder.",
    "Avtalt intervju.",
    "Ikke aktuelt nå, men tar vare på CV-en.",
    "Ønsker en samtale med kandidaten neste uke.",
)

FOLLOW_UP_OUTCOMES = (
    "Leder er fornøyd; alt går fint.",
    "Avtalt flere timer fra neste måned.",
    "Justerte arbeidsoppgavene litt.",
    "Avklarte turnus for de neste ukene.",
)

CONTACT_NOTES = {
    "in_person": (
        "Snakket med butikksjefen.",
        "Ta med CV-er neste gang.",
        "Kort besøk i lunsjen.",
        "Ny kontaktperson i personalavdelingen.",
        None,
        None,
    ),
    "phone": ("Ringte daglig leder.", None),
    "email": ("Sendte e-post med informasjon om IPS.", None),
    "video": ("Kort videomøte med personalsjefen.", None),
}

MEETING_NOTES = {
    "intake": ("Første samtale: gikk gjennom hvordan IPS fungerer og ønsker for jobb.",),
    "career_profile": (
        "Fylte ut karriereprofilen sammen.",
        "Snakket om tidligere jobber og hva som fungerte.",
    ),
    "job_search": (
        "Gikk gjennom ledige stillinger på finn.no.",
        "Skrev søknad sammen.",
        "Besøkte to butikker og leverte CV.",
        "Laget en liste over aktuelle bedrifter.",
    ),
    "interview_preparation": (
        "Øvde på vanlige intervjuspørsmål.",
        "Planla reisen til intervjuet og hva som er lurt å ta med.",
    ),
    "benefits_counselling": (
        "Regnet på hvordan lønn påvirker ytelsene fra NAV.",
        "Gikk gjennom frikortgrensen og meldekort.",
    ),
    "follow_along": (
        "Snakket om hvordan de første ukene på jobb har gått.",
        "Møttes i lunsjpausen på arbeidsplassen.",
        "Gikk gjennom vaktlisten for neste måned.",
    ),
    "three_party": (
        "Trepartsmøte med NAV-veileder om lønnstilskudd og arbeidstid.",
        "Møte med behandler og deltaker om oppstart i jobb.",
    ),
    "other": ("Hjalp til med å bestille nytt skattekort.", "Ordnet bankkort og BankID."),
}

NEXT_STEPS = (
    "Deltakeren oppdaterer CV-en før neste møte.",
    "Jobbspesialisten ringer to bedrifter.",
    "Søke på to stillinger innen fredag.",
    "Møtes på arbeidsplassen neste uke.",
    "Deltakeren tar med attester neste gang.",
    "Besøke bakeriet sammen på torsdag.",
)

TEAM_MEETING_NOTES = (
    "Behandlingsteamet: gjennomgang av nye henvisninger og jobbsøkere.",
    "Drøftet hvem som ønsker jobb og neste steg for hver enkelt.",
    "Orienterte teamet om jobbstarter denne uka.",
)

REVIEW_MANY_VISITS = "Gjennomgått. Godt med besøk ute hos arbeidsgivere."

REVIEW_FEW_VISITS = "Gjennomgått; få besøk hos arbeidsgivere denne uka, planlegg flere."

REVIEW_COMMENTS = ("Gjennomgått.", "Fin variasjon i bransjer.", None, None, None)

PARTICIPANT_STEPS = (
    "Oppdatere CV-en",
    "Lage profil på finn.no",
    "Finne fram attester fra tidligere jobber",
    "Øve på å presentere seg selv",
    "Søke på to stillinger",
    "Besøke to butikker i sentrum",
    "Sjekke busstider til aktuelle arbeidsplasser",
    "Kjøpe arbeidssko",
)

SPECIALIST_STEPS = (
    "Ringe {employer} om mulig intervju",
    "Avtale møte med leder hos {employer}",
    "Sende CV-en til {employer}",
    "Undersøke lønnstilskudd med NAV-veileder",
    "Spørre {employer} om helgevakter",
)
