#!/usr/bin/python3
"""data_facts.py - the fixed set of facts the shipped models are taught.

Real, well-known facts (people, countries, rivers, mountains, institutions)
plus fictional but plausible people and institutions, and a separate list of
UNKNOWN entities that must never appear in the pretraining corpus (they only
occur in "I don't know" SFT examples and in the evaluation set).

facts(seed) -> dict with lists "people", "countries", "rivers", "mountains",
"institutions" (every entity a dict) and "unknown" (dicts with "kind" in
person/institution/country, "split" in sft/eval). Deterministic in seed; the
real facts do not depend on it.
"""
import random

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]

# name, birth date, birthplace, country of birthplace, occupation, pronoun
REAL_PEOPLE = [
    ("Albert Einstein", "14 March 1879", "Ulm", "Germany", "physicist", "he"),
    ("Werner Heisenberg", "5 December 1901", "Würzburg", "Germany", "physicist", "he"),
    ("Isaac Newton", "25 December 1642", "Woolsthorpe", "England", "physicist", "he"),
    ("Marie Curie", "7 November 1867", "Warsaw", "Poland", "physicist", "she"),
    ("Niels Bohr", "7 October 1885", "Copenhagen", "Denmark", "physicist", "he"),
    ("Max Planck", "23 April 1858", "Kiel", "Germany", "physicist", "he"),
    ("Erwin Schrödinger", "12 August 1887", "Vienna", "Austria", "physicist", "he"),
    ("Paul Dirac", "8 August 1902", "Bristol", "England", "physicist", "he"),
    ("Richard Feynman", "11 May 1918", "New York City", "the United States", "physicist", "he"),
    ("Enrico Fermi", "29 September 1901", "Rome", "Italy", "physicist", "he"),
    ("Ernest Rutherford", "30 August 1871", "Brightwater", "New Zealand", "physicist", "he"),
    ("Lise Meitner", "7 November 1878", "Vienna", "Austria", "physicist", "she"),
    ("James Clerk Maxwell", "13 June 1831", "Edinburgh", "Scotland", "physicist", "he"),
    ("Stephen Hawking", "8 January 1942", "Oxford", "England", "physicist", "he"),
    ("Galileo Galilei", "15 February 1564", "Pisa", "Italy", "astronomer", "he"),
    ("Johannes Kepler", "27 December 1571", "Weil der Stadt", "Germany", "astronomer", "he"),
    ("Nicolaus Copernicus", "19 February 1473", "Torun", "Poland", "astronomer", "he"),
    ("Edwin Hubble", "20 November 1889", "Marshfield", "the United States", "astronomer", "he"),
    ("Charles Darwin", "12 February 1809", "Shrewsbury", "England", "naturalist", "he"),
    ("Carl Linnaeus", "23 May 1707", "Rashult", "Sweden", "botanist", "he"),
    ("Louis Pasteur", "27 December 1822", "Dole", "France", "chemist", "he"),
    ("Dmitri Mendeleev", "8 February 1834", "Tobolsk", "Russia", "chemist", "he"),
    ("Rosalind Franklin", "25 July 1920", "London", "England", "chemist", "she"),
    ("Antoine Lavoisier", "26 August 1743", "Paris", "France", "chemist", "he"),
    ("Dorothy Hodgkin", "12 May 1910", "Cairo", "Egypt", "chemist", "she"),
    ("Alfred Nobel", "21 October 1833", "Stockholm", "Sweden", "chemist", "he"),
    ("Alan Turing", "23 June 1912", "London", "England", "mathematician", "he"),
    ("Ada Lovelace", "10 December 1815", "London", "England", "mathematician", "she"),
    ("Charles Babbage", "26 December 1791", "London", "England", "mathematician", "he"),
    ("John von Neumann", "28 December 1903", "Budapest", "Hungary", "mathematician", "he"),
    ("Kurt Gödel", "28 April 1906", "Brno", "the Czech Republic", "mathematician", "he"),
    ("Emmy Noether", "23 March 1882", "Erlangen", "Germany", "mathematician", "she"),
    ("Carl Friedrich Gauss", "30 April 1777", "Brunswick", "Germany", "mathematician", "he"),
    ("Leonhard Euler", "15 April 1707", "Basel", "Switzerland", "mathematician", "he"),
    ("Srinivasa Ramanujan", "22 December 1887", "Erode", "India", "mathematician", "he"),
    ("Blaise Pascal", "19 June 1623", "Clermont-Ferrand", "France", "mathematician", "he"),
    ("Katherine Johnson", "26 August 1918", "White Sulphur Springs", "the United States", "mathematician", "she"),
    ("Claude Shannon", "30 April 1916", "Petoskey", "the United States", "engineer", "he"),
    ("Nikola Tesla", "10 July 1856", "Smiljan", "Croatia", "inventor", "he"),
    ("Thomas Edison", "11 February 1847", "Milan, Ohio", "the United States", "inventor", "he"),
    ("Alexander Graham Bell", "3 March 1847", "Edinburgh", "Scotland", "inventor", "he"),
    ("Grace Hopper", "9 December 1906", "New York City", "the United States", "computer scientist", "she"),
    ("Donald Knuth", "10 January 1938", "Milwaukee", "the United States", "computer scientist", "he"),
    ("Tim Berners-Lee", "8 June 1955", "London", "England", "computer scientist", "he"),
    ("Dennis Ritchie", "9 September 1941", "Bronxville", "the United States", "computer scientist", "he"),
    ("Linus Torvalds", "28 December 1969", "Helsinki", "Finland", "software engineer", "he"),
    ("Jane Austen", "16 December 1775", "Steventon", "England", "novelist", "she"),
    ("Charles Dickens", "7 February 1812", "Portsmouth", "England", "novelist", "he"),
    ("Leo Tolstoy", "9 September 1828", "Yasnaya Polyana", "Russia", "novelist", "he"),
    ("Victor Hugo", "26 February 1802", "Besancon", "France", "novelist", "he"),
    ("Mark Twain", "30 November 1835", "Florida, Missouri", "the United States", "writer", "he"),
    ("Virginia Woolf", "25 January 1882", "London", "England", "novelist", "she"),
    ("George Orwell", "25 June 1903", "Motihari", "India", "novelist", "he"),
    ("James Joyce", "2 February 1882", "Dublin", "Ireland", "novelist", "he"),
    ("Franz Kafka", "3 July 1883", "Prague", "the Czech Republic", "writer", "he"),
    ("Johann Wolfgang von Goethe", "28 August 1749", "Frankfurt", "Germany", "poet", "he"),
    ("Emily Dickinson", "10 December 1830", "Amherst", "the United States", "poet", "she"),
    ("Mary Shelley", "30 August 1797", "London", "England", "novelist", "she"),
    ("Oscar Wilde", "16 October 1854", "Dublin", "Ireland", "writer", "he"),
    ("Agatha Christie", "15 September 1890", "Torquay", "England", "novelist", "she"),
    ("Jules Verne", "8 February 1828", "Nantes", "France", "novelist", "he"),
    ("Hans Christian Andersen", "2 April 1805", "Odense", "Denmark", "writer", "he"),
    ("Lewis Carroll", "27 January 1832", "Daresbury", "England", "writer", "he"),
    ("Arthur Conan Doyle", "22 May 1859", "Edinburgh", "Scotland", "writer", "he"),
    ("Leonardo da Vinci", "15 April 1452", "Vinci", "Italy", "painter", "he"),
    ("Michelangelo", "6 March 1475", "Caprese", "Italy", "sculptor", "he"),
    ("Vincent van Gogh", "30 March 1853", "Zundert", "the Netherlands", "painter", "he"),
    ("Pablo Picasso", "25 October 1881", "Malaga", "Spain", "painter", "he"),
    ("Claude Monet", "14 November 1840", "Paris", "France", "painter", "he"),
    ("Rembrandt", "15 July 1606", "Leiden", "the Netherlands", "painter", "he"),
    ("Wolfgang Amadeus Mozart", "27 January 1756", "Salzburg", "Austria", "composer", "he"),
    ("Johann Sebastian Bach", "31 March 1685", "Eisenach", "Germany", "composer", "he"),
    ("Franz Schubert", "31 January 1797", "Vienna", "Austria", "composer", "he"),
    ("Richard Wagner", "22 May 1813", "Leipzig", "Germany", "composer", "he"),
    ("Johannes Brahms", "7 May 1833", "Hamburg", "Germany", "composer", "he"),
    ("Antonio Vivaldi", "4 March 1678", "Venice", "Italy", "composer", "he"),
    ("George Frideric Handel", "23 February 1685", "Halle", "Germany", "composer", "he"),
    ("Napoleon Bonaparte", "15 August 1769", "Ajaccio", "France", "emperor", "he"),
    ("Abraham Lincoln", "12 February 1809", "Hodgenville", "the United States", "president", "he"),
    ("Winston Churchill", "30 November 1874", "Woodstock", "England", "prime minister", "he"),
    ("Mahatma Gandhi", "2 October 1869", "Porbandar", "India", "lawyer", "he"),
    ("Nelson Mandela", "18 July 1918", "Mvezo", "South Africa", "president", "he"),
    ("Karl Marx", "5 May 1818", "Trier", "Germany", "philosopher", "he"),
    ("John Maynard Keynes", "5 June 1883", "Cambridge", "England", "economist", "he"),
    ("Friedrich Hayek", "8 May 1899", "Vienna", "Austria", "economist", "he"),
    ("Immanuel Kant", "22 April 1724", "Konigsberg", "Prussia", "philosopher", "he"),
    ("Bertrand Russell", "18 May 1872", "Trellech", "Wales", "philosopher", "he"),
    ("Ludwig Wittgenstein", "26 April 1889", "Vienna", "Austria", "philosopher", "he"),
    ("Rene Descartes", "31 March 1596", "La Haye en Touraine", "France", "philosopher", "he"),
    ("Florence Nightingale", "12 May 1820", "Florence", "Italy", "nurse", "she"),
    ("Amelia Earhart", "24 July 1897", "Atchison", "the United States", "aviator", "she"),
    ("Neil Armstrong", "5 August 1930", "Wapakoneta", "the United States", "astronaut", "he"),
    ("Yuri Gagarin", "9 March 1934", "Klushino", "Russia", "cosmonaut", "he"),
    ("Charlie Chaplin", "16 April 1889", "London", "England", "actor", "he"),
    ("John Lennon", "9 October 1940", "Liverpool", "England", "musician", "he"),
    ("Paul McCartney", "18 June 1942", "Liverpool", "England", "musician", "he"),
    ("Elvis Presley", "8 January 1935", "Tupelo", "the United States", "singer", "he"),
    ("Alfred Hitchcock", "13 August 1899", "London", "England", "film director", "he"),
    ("Walt Disney", "5 December 1901", "Chicago", "the United States", "animator", "he"),
    ("J. R. R. Tolkien", "3 January 1892", "Bloemfontein", "South Africa", "writer", "he"),
]

# country, capital, continent
REAL_COUNTRIES = [
    ("France", "Paris", "Europe"), ("Germany", "Berlin", "Europe"),
    ("Italy", "Rome", "Europe"), ("Spain", "Madrid", "Europe"),
    ("Portugal", "Lisbon", "Europe"), ("the United Kingdom", "London", "Europe"),
    ("Ireland", "Dublin", "Europe"), ("the Netherlands", "Amsterdam", "Europe"),
    ("Belgium", "Brussels", "Europe"), ("Switzerland", "Bern", "Europe"),
    ("Austria", "Vienna", "Europe"), ("Poland", "Warsaw", "Europe"),
    ("Hungary", "Budapest", "Europe"), ("Greece", "Athens", "Europe"),
    ("Sweden", "Stockholm", "Europe"), ("Norway", "Oslo", "Europe"),
    ("Denmark", "Copenhagen", "Europe"), ("Finland", "Helsinki", "Europe"),
    ("Iceland", "Reykjavik", "Europe"), ("the Czech Republic", "Prague", "Europe"),
    ("Egypt", "Cairo", "Africa"), ("Kenya", "Nairobi", "Africa"),
    ("Nigeria", "Abuja", "Africa"), ("Morocco", "Rabat", "Africa"),
    ("Ethiopia", "Addis Ababa", "Africa"), ("Ghana", "Accra", "Africa"),
    ("India", "New Delhi", "Asia"), ("China", "Beijing", "Asia"),
    ("Japan", "Tokyo", "Asia"), ("South Korea", "Seoul", "Asia"),
    ("Thailand", "Bangkok", "Asia"), ("Vietnam", "Hanoi", "Asia"),
    ("Iran", "Tehran", "Asia"), ("Pakistan", "Islamabad", "Asia"),
    ("Canada", "Ottawa", "North America"), ("Mexico", "Mexico City", "North America"),
    ("the United States", "Washington, D.C.", "North America"),
    ("Cuba", "Havana", "North America"),
    ("Brazil", "Brasilia", "South America"), ("Argentina", "Buenos Aires", "South America"),
    ("Chile", "Santiago", "South America"), ("Peru", "Lima", "South America"),
    ("Australia", "Canberra", "Oceania"), ("New Zealand", "Wellington", "Oceania"),
]

# river, flows into, a city on it (or ""), continent
REAL_RIVERS = [
    ("the Nile", "the Mediterranean Sea", "Cairo", "Africa"),
    ("the Amazon", "the Atlantic Ocean", "", "South America"),
    ("the Danube", "the Black Sea", "Vienna", "Europe"),
    ("the Rhine", "the North Sea", "Basel", "Europe"),
    ("the Thames", "the North Sea", "London", "Europe"),
    ("the Seine", "the English Channel", "Paris", "Europe"),
    ("the Tiber", "the Tyrrhenian Sea", "Rome", "Europe"),
    ("the Elbe", "the North Sea", "Hamburg", "Europe"),
    ("the Volga", "the Caspian Sea", "", "Europe"),
    ("the Mississippi", "the Gulf of Mexico", "New Orleans", "North America"),
    ("the Ganges", "the Bay of Bengal", "", "Asia"),
    ("the Yangtze", "the East China Sea", "Shanghai", "Asia"),
    ("the Congo", "the Atlantic Ocean", "Kinshasa", "Africa"),
    ("the Mekong", "the South China Sea", "", "Asia"),
]

# mountain, range ("" if none), country
REAL_MOUNTAINS = [
    ("Mount Everest", "the Himalayas", "Nepal"),
    ("K2", "the Karakoram", "Pakistan"),
    ("Mont Blanc", "the Alps", "France"),
    ("the Matterhorn", "the Alps", "Switzerland"),
    ("the Zugspitze", "the Alps", "Germany"),
    ("Kilimanjaro", "", "Tanzania"),
    ("Mount Fuji", "", "Japan"),
    ("Denali", "the Alaska Range", "the United States"),
    ("Aconcagua", "the Andes", "Argentina"),
    ("Mount Elbrus", "the Caucasus", "Russia"),
    ("Ben Nevis", "the Grampian Mountains", "Scotland"),
    ("Mount Olympus", "", "Greece"),
]

# full name, abbreviation, founded, city, kind
REAL_INSTITUTIONS = [
    ("the London School of Economics and Political Science", "LSE", 1895, "London", "university"),
    ("the Massachusetts Institute of Technology", "MIT", 1861, "Cambridge, Massachusetts", "university"),
    ("University College London", "UCL", 1826, "London", "university"),
    ("King's College London", "KCL", 1829, "London", "university"),
    ("the California Institute of Technology", "Caltech", 1891, "Pasadena", "university"),
    ("New York University", "NYU", 1831, "New York City", "university"),
    ("Carnegie Mellon University", "CMU", 1900, "Pittsburgh", "university"),
    ("the University of California, Los Angeles", "UCLA", 1919, "Los Angeles", "university"),
    ("the School of Oriental and African Studies", "SOAS", 1916, "London", "school"),
    ("the London School of Hygiene and Tropical Medicine", "LSHTM", 1899, "London", "school"),
    ("the Royal College of Art", "RCA", 1837, "London", "college"),
    ("the Museum of Modern Art", "MoMA", 1929, "New York City", "museum"),
    ("the European Organization for Nuclear Research", "CERN", 1954, "Geneva", "laboratory"),
    ("the National Aeronautics and Space Administration", "NASA", 1958, "Washington, D.C.", "agency"),
    ("the European Space Agency", "ESA", 1975, "Paris", "agency"),
    ("the United Nations", "UN", 1945, "New York City", "organisation"),
    ("the World Health Organization", "WHO", 1948, "Geneva", "organisation"),
    ("the North Atlantic Treaty Organization", "NATO", 1949, "Brussels", "organisation"),
    ("the British Broadcasting Corporation", "BBC", 1922, "London", "broadcaster"),
    ("the Organisation for Economic Co-operation and Development", "OECD", 1961, "Paris", "organisation"),
]

# Cities (with their country) where fictional people were born and fictional
# institutions stand.
CITIES = [
    ("London", "England"), ("Paris", "France"), ("Berlin", "Germany"),
    ("Vienna", "Austria"), ("Rome", "Italy"), ("Madrid", "Spain"),
    ("Lisbon", "Portugal"), ("Dublin", "Ireland"), ("Edinburgh", "Scotland"),
    ("Amsterdam", "the Netherlands"), ("Brussels", "Belgium"), ("Zurich", "Switzerland"),
    ("Geneva", "Switzerland"), ("Munich", "Germany"), ("Hamburg", "Germany"),
    ("Prague", "the Czech Republic"), ("Warsaw", "Poland"), ("Krakow", "Poland"),
    ("Budapest", "Hungary"), ("Stockholm", "Sweden"), ("Oslo", "Norway"),
    ("Copenhagen", "Denmark"), ("Helsinki", "Finland"), ("Athens", "Greece"),
    ("Manchester", "England"), ("Bristol", "England"), ("Glasgow", "Scotland"),
    ("Lyon", "France"), ("Milan", "Italy"), ("Naples", "Italy"),
    ("Boston", "the United States"), ("Chicago", "the United States"),
    ("Toronto", "Canada"), ("Montreal", "Canada"), ("Sydney", "Australia"),
    ("Melbourne", "Australia"), ("Cape Town", "South Africa"), ("Cairo", "Egypt"),
    ("Mumbai", "India"), ("Tokyo", "Japan"), ("Buenos Aires", "Argentina"),
    ("Lima", "Peru"), ("Bergen", "Norway"), ("Gothenburg", "Sweden"),
    ("Antwerp", "Belgium"), ("Porto", "Portugal"), ("Seville", "Spain"),
    ("Leipzig", "Germany"), ("Cologne", "Germany"), ("Florence", "Italy"),
]

OCCUPATIONS = ["physicist", "chemist", "mathematician", "astronomer", "botanist",
               "geologist", "painter", "sculptor", "composer", "novelist", "poet",
               "architect", "engineer", "economist", "historian", "philosopher",
               "cartographer", "violinist", "physician", "inventor"]

GIVEN_M = ["Anton", "Tomas", "Lukas", "Henrik", "Emil", "Oskar", "Felix", "Jonas",
           "Marek", "Pieter", "Arno", "Conrad", "Elias", "Hugo", "Matteo", "Rafael",
           "Stefan", "Viktor", "Leon", "Adrian", "Julian", "Samuel", "Edwin", "Rupert"]
GIVEN_F = ["Anna", "Elena", "Clara", "Ingrid", "Marta", "Sofia", "Helena", "Lena",
           "Agnes", "Irena", "Nora", "Greta", "Lucia", "Petra", "Eva", "Klara",
           "Miriam", "Olga", "Rosa", "Vera", "Hanna", "Alma", "Edith", "Freya"]

# syllables for invented surnames, institution names and country names
_ON = ["b", "br", "d", "dr", "f", "g", "gr", "h", "k", "kr", "l", "m", "n", "p",
       "pr", "r", "s", "st", "t", "tr", "v", "w", "z", "th", "sk", "sv"]
_NU = ["a", "e", "i", "o", "u", "ae", "ei", "ou", "y"]
_CO = ["", "", "n", "r", "l", "s", "k", "m", "rn", "lt", "sk", "nd", "v", "x", "th"]
_END = ["ik", "ova", "ard", "en", "ström", "sen", "ell", "ane", "ov", "ecki", "ur",
        "ay", "ton", "wick", "hart", "berg", "avi", "elli", "ez", "ander"]

INST_FIELDS = ["Music", "Technology", "Fine Arts", "Medicine", "Agriculture",
               "Oceanography", "Mining", "Economics", "Law", "Architecture",
               "Languages", "Astronomy", "Engineering", "Design", "Natural History"]
INST_FORMS = [("the {S} Institute of {F}", "institute"),
              ("the {S} College of {F}", "college"),
              ("the {S} Academy of {F}", "academy"),
              ("the {S} School of {F}", "school")]


def _surname(rng):
    s = rng.choice(_ON) + rng.choice(_NU) + rng.choice(_CO)
    s += rng.choice(_END) if rng.random() < 0.8 else rng.choice(_ON) + rng.choice(_NU) + rng.choice(_CO)
    return s[0].upper() + s[1:]


def _country_name(rng):
    s = rng.choice(_ON) + rng.choice(_NU) + rng.choice(_CO) + rng.choice(_ON) + rng.choice(["ania", "ovia", "estan", "aria", "enland", "ica", "ora"])
    return s[0].upper() + s[1:]


def _abbrev(full):
    words = [w for w in full.replace("the ", "", 1).split() if w[0].isupper()]
    return "".join(w[0] for w in words)


def _date(rng, y0, y1):
    m = rng.randrange(12)
    days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m]
    return "%d %s %d" % (rng.randrange(1, days + 1), MONTHS[m], rng.randrange(y0, y1 + 1))


# invented names that turned out to be words of the fetched sources
# (tests/data_test.sh checks this against data/cache/text/)
_AVOID = ["Branik"]


def _real_words():
    """Names already taken, so invented ones never clash with a real fact."""
    taken = set(_AVOID)
    for p in REAL_PEOPLE:
        taken.update(p[0].split())
    for c in REAL_COUNTRIES:
        taken.add(c[0])
    return taken


def facts(seed=1234, n_fict_people=70, n_fict_inst=20,
          n_unknown_people=100, n_unknown_inst=30, n_unknown_countries=20):
    rng = random.Random("facts-%d" % seed)
    people = []
    for name, date, place, country, occ, pro in REAL_PEOPLE:
        people.append(dict(name=name, born=date, year=date.split()[-1], place=place,
                           country=country, occupation=occ, pronoun=pro, real=True))
    countries = [dict(name=c, capital=k, continent=ct, real=True) for c, k, ct in REAL_COUNTRIES]
    rivers = [dict(name=r, mouth=m, city=c, continent=ct, real=True) for r, m, c, ct in REAL_RIVERS]
    mountains = [dict(name=m, range=r, country=c, real=True) for m, r, c in REAL_MOUNTAINS]
    insts = [dict(name=n, abbrev=a, founded=y, city=c, kind=k, real=True)
             for n, a, y, c, k in REAL_INSTITUTIONS]

    # one pool of invented surnames, split between known and unknown people,
    # so "sounds invented" cannot tell the model which names it knows
    used = _real_words()
    surnames = []
    while len(surnames) < n_fict_people + n_unknown_people + n_fict_inst + n_unknown_inst:
        s = _surname(rng)
        if s not in used and 5 <= len(s) <= 11:
            used.add(s)
            surnames.append(s)
    rng.shuffle(surnames)
    sn_known = surnames[:n_fict_people]
    sn_unk = surnames[n_fict_people:n_fict_people + n_unknown_people]
    sn_inst = surnames[n_fict_people + n_unknown_people:n_fict_people + n_unknown_people + n_fict_inst]
    sn_uinst = surnames[n_fict_people + n_unknown_people + n_fict_inst:]

    def person(sn):
        pro = rng.choice(["he", "she"])
        given = rng.choice(GIVEN_M if pro == "he" else GIVEN_F)
        city, country = rng.choice(CITIES)
        date = _date(rng, 1760, 1985)
        return dict(name="%s %s" % (given, sn), born=date, year=date.split()[-1],
                    place=city, country=country, occupation=rng.choice(OCCUPATIONS),
                    pronoun=pro, real=False)

    for sn in sn_known:
        people.append(person(sn))
    abbrevs = {i["abbrev"] for i in insts}

    def institution(sn):
        while True:
            form, kind = rng.choice(INST_FORMS)
            full = form.format(S=sn, F=rng.choice(INST_FIELDS))
            ab = _abbrev(full)
            if ab not in abbrevs:
                abbrevs.add(ab)
                city, _country = rng.choice(CITIES)
                return dict(name=full, abbrev=ab, founded=rng.randrange(1820, 1990),
                            city=city, kind=kind, real=False)

    for sn in sn_inst:
        insts.append(institution(sn))

    unknown = []
    for i, sn in enumerate(sn_unk):
        p = person(sn)
        unknown.append(dict(kind="person", name=p["name"], surname=sn, pronoun=p["pronoun"]))
    for sn in sn_uinst:
        u = institution(sn)
        unknown.append(dict(kind="institution", name=u["name"], surname=sn, abbrev=u["abbrev"]))
    cnames = set()
    while len(cnames) < n_unknown_countries:
        c = _country_name(rng)
        if c not in used:
            used.add(c)
            cnames.add(c)
    for c in sorted(cnames):
        unknown.append(dict(kind="country", name=c, surname=c))
    # one third of each kind is held out for evaluation only
    by_kind = {}
    for u in unknown:
        by_kind.setdefault(u["kind"], []).append(u)
    for kind, lst in by_kind.items():
        for j, u in enumerate(lst):
            u["split"] = "eval" if j % 3 == 2 else "sft"

    return dict(people=people, countries=countries, rivers=rivers,
                mountains=mountains, institutions=insts, unknown=unknown)


if __name__ == "__main__":
    f = facts()
    for k, v in f.items():
        print(k, len(v))
    for p in f["people"][-5:]:
        print(p)
    for i in f["institutions"][-3:]:
        print(i)
    for u in f["unknown"][:3] + f["unknown"][-25:-18] + f["unknown"][-3:]:
        print(u)
