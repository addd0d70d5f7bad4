#!/usr/bin/env python3
"""Write the bundled sample corpus into ``examples/data/``.

The quickstart run must work on a fresh clone without any other data, and the
pipeline's hard cases (legacy encodings, wrong charset declarations, spam,
boilerplate, near-duplicates, PII, code with comments in two languages) must be
visible in that run. So this script writes, from text authored for polycorpus:

* ``crawl-00.warc.gz`` / ``crawl-01.warc.gz``: WARC/1.1, one gzip member per
  record, Common Crawl-like request / response / metadata triples;
* ``notes.jsonl``: plain-text documents (``id``, ``text``, ``title``);
* ``code/``: a tiny MIT-licensed "sample repo" in Python, JavaScript and C;
* ``LABELS.tsv``: the ground truth (language, encoding, deliberate defect,
  duplicate group) for every web record and note, for tests and the README.

Everything is deterministic: record ids are UUIDv5 of stable keys, dates are
fixed, and warcio compresses with zlib whose gzip header carries mtime 0, so
two runs give byte-identical files (with the same zlib build; a different
zlib, e.g. zlib-ng, may compress differently but the decompressed bytes are
always identical). Standard library + warcio only, no network.

Usage: ``python examples/make_sample_corpus.py [--out DIR]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import struct
import uuid
import zlib
from collections import Counter
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "data"
NAMESPACE = uuid.UUID("6f1c0b9e-5a4d-5d0e-9a53-2f1c7e0b9a11")  # fixed: ids never change
CRAWL_START = datetime(2024, 5, 6, 8, 0, 0, tzinfo=timezone.utc)
LAST_MODIFIED = "Mon, 15 Apr 2024 10:30:00 GMT"
USER_AGENT = "polycorpus-sample-crawler/1.0 (+https://www.example.com/bot)"

# --------------------------------------------------------------------------
# Per-language site chrome. Extractors must learn to drop all of this.
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Chrome:
    """Boilerplate strings of one language: navigation, cookie banner, footer."""

    html_lang: str
    nav: tuple[str, ...]
    cookie: str
    accept: str
    related: str
    related_items: tuple[str, str]
    rights: str
    footer_links: tuple[str, str, str]
    search: str
    newsletter: str
    rtl: bool = False


CHROME: dict[str, Chrome] = {
    "en": Chrome(
        "en",
        ("Home", "News", "Features", "About us", "Contact"),
        "We use cookies to improve your experience on our website. "
        "By continuing to browse, you agree to our use of cookies.",
        "Accept",
        "Related articles",
        ("Ten things to do this weekend", "Readers' letters: your views on the new bus timetable"),
        "All rights reserved.",
        ("Privacy policy", "Terms of use", "Advertise with us"),
        "Search",
        "Subscribe to our newsletter",
    ),
    "de": Chrome(
        "de",
        ("Startseite", "Aktuelles", "Themen", "Über uns", "Kontakt"),
        "Wir verwenden Cookies, um Ihnen die bestmögliche Nutzung unserer Website zu "
        "ermöglichen. Mit der weiteren Nutzung stimmen Sie dem zu.",
        "Einverstanden",
        "Das könnte Sie auch interessieren",
        ("Die schönsten Ausflugsziele im Herbst", "Leserbriefe: Ihre Meinung zählt"),
        "Alle Rechte vorbehalten.",
        ("Datenschutz", "Impressum", "Werbung"),
        "Suche",
        "Newsletter abonnieren",
    ),
    "fr": Chrome(
        "fr",
        ("Accueil", "Actualités", "Dossiers", "Qui sommes-nous ?", "Contact"),
        "Nous utilisons des cookies pour améliorer votre expérience. En poursuivant "
        "votre navigation, vous acceptez leur utilisation.",
        "J'accepte",
        "À lire aussi",
        ("Dix idées de sorties pour le week-end", "Courrier des lecteurs : vos réactions"),
        "Tous droits réservés.",
        ("Politique de confidentialité", "Mentions légales", "Publicité"),
        "Rechercher",
        "S'abonner à la newsletter",
    ),
    "es": Chrome(
        "es",
        ("Inicio", "Noticias", "Reportajes", "Quiénes somos", "Contacto"),
        "Utilizamos cookies para mejorar su experiencia. Si continúa navegando, "
        "consideramos que acepta su uso.",
        "Aceptar",
        "Artículos relacionados",
        ("Diez planes para este fin de semana", "Cartas de los lectores"),
        "Todos los derechos reservados.",
        ("Política de privacidad", "Aviso legal", "Publicidad"),
        "Buscar",
        "Suscríbase al boletín",
    ),
    "ru": Chrome(
        "ru",
        ("Главная", "Новости", "Статьи", "О нас", "Контакты"),
        "Мы используем файлы cookie, чтобы сделать сайт удобнее. Продолжая просмотр, "
        "вы соглашаетесь с их использованием.",
        "Понятно",
        "Читайте также",
        ("Десять идей для выходных", "Письма читателей"),
        "Все права защищены.",
        ("Политика конфиденциальности", "Пользовательское соглашение", "Реклама"),
        "Поиск",
        "Подписаться на рассылку",
    ),
    "zh-Hans": Chrome(
        "zh-CN",
        ("首页", "新闻", "专题", "关于我们", "联系我们"),
        "本网站使用Cookie以改善您的浏览体验。继续浏览即表示您同意我们使用Cookie。",
        "同意",
        "相关阅读",
        ("周末好去处推荐", "读者来信"),
        "版权所有，未经许可不得转载。",
        ("隐私政策", "用户协议", "广告合作"),
        "搜索",
        "订阅邮件通讯",
    ),
    "zh-Hant": Chrome(
        "zh-TW",
        ("首頁", "新聞", "專題", "關於我們", "聯絡我們"),
        "本網站使用Cookie以提升您的瀏覽體驗。繼續瀏覽即表示您同意我們使用Cookie。",
        "同意",
        "延伸閱讀",
        ("週末好去處推薦", "讀者來函"),
        "版權所有，轉載請註明出處。",
        ("隱私權政策", "使用條款", "廣告合作"),
        "搜尋",
        "訂閱電子報",
    ),
    "ja": Chrome(
        "ja",
        ("ホーム", "ニュース", "特集", "運営者情報", "お問い合わせ"),
        "当サイトでは、利便性向上のためにCookieを使用しています。"
        "引き続きご利用いただくことで、Cookieの使用に同意したものとみなします。",
        "同意する",
        "関連記事",
        ("週末のおでかけ情報", "読者の声"),
        "無断転載を禁じます。",
        ("プライバシーポリシー", "利用規約", "広告掲載"),
        "検索",
        "メールマガジン登録",
    ),
    "ar": Chrome(
        "ar",
        ("الرئيسية", "أخبار", "تحقيقات", "من نحن", "اتصل بنا"),
        "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا. "
        "باستمرارك في التصفح فإنك توافق على استخدامها.",
        "موافق",
        "مقالات ذات صلة",
        ("عشر أفكار لعطلة نهاية الأسبوع", "رسائل القراء"),
        "جميع الحقوق محفوظة.",
        ("سياسة الخصوصية", "شروط الاستخدام", "أعلن معنا"),
        "بحث",
        "اشترك في النشرة البريدية",
        rtl=True,
    ),
    "hi": Chrome(
        "hi",
        ("होम", "समाचार", "फ़ीचर", "हमारे बारे में", "संपर्क"),
        "हम आपके अनुभव को बेहतर बनाने के लिए कुकीज़ का उपयोग करते हैं। "
        "ब्राउज़ करना जारी रखकर आप इसके लिए सहमति देते हैं।",
        "स्वीकार करें",
        "संबंधित लेख",
        ("इस सप्ताहांत क्या करें", "पाठकों के पत्र"),
        "सर्वाधिकार सुरक्षित।",
        ("गोपनीयता नीति", "उपयोग की शर्तें", "विज्ञापन दें"),
        "खोजें",
        "न्यूज़लेटर की सदस्यता लें",
    ),
    "th": Chrome(
        "th",
        ("หน้าแรก", "ข่าว", "สารคดี", "เกี่ยวกับเรา", "ติดต่อเรา"),
        "เว็บไซต์นี้ใช้คุกกี้เพื่อพัฒนาประสบการณ์การใช้งานของคุณ "
        "การใช้งานเว็บไซต์ต่อถือว่าคุณยอมรับการใช้คุกกี้",
        "ยอมรับ",
        "บทความที่เกี่ยวข้อง",
        ("สิบที่เที่ยวสุดสัปดาห์", "จดหมายจากผู้อ่าน"),
        "สงวนลิขสิทธิ์",
        ("นโยบายความเป็นส่วนตัว", "ข้อกำหนดการใช้งาน", "ติดต่อโฆษณา"),
        "ค้นหา",
        "สมัครรับจดหมายข่าว",
    ),
    "ko": Chrome(
        "ko",
        ("홈", "뉴스", "기획", "회사 소개", "문의하기"),
        "이 웹사이트는 더 나은 서비스를 위해 쿠키를 사용합니다. "
        "계속 이용하시면 쿠키 사용에 동의하는 것으로 간주합니다.",
        "동의",
        "관련 기사",
        ("이번 주말 가볼 만한 곳", "독자 편지"),
        "무단 전재 및 재배포 금지.",
        ("개인정보처리방침", "이용약관", "광고 문의"),
        "검색",
        "뉴스레터 구독",
    ),
}

# --------------------------------------------------------------------------
# Article texts (written for polycorpus; all people and places are fictional).
# --------------------------------------------------------------------------

EN_SOURDOUGH = (
    "Every autumn the same question lands in our inbox: why has my starter gone sluggish? "
    "The short answer is temperature. A starter is a small colony of wild yeast and lactic "
    "acid bacteria, and both slow down sharply once the kitchen drops below twenty degrees "
    "Celsius. The flour, the water and your routine have not changed; the room has.",
    "The first fix is to find a warmer spot. The top of the refrigerator, a shelf near (but "
    "not on) a radiator, or the oven with only its light switched on will often add four or "
    "five degrees. Put a cheap thermometer next to the jar for a day before you commit, "
    "because some of these places swing wildly between morning and night.",
    "The second fix is to use warmer water at feeding time. Water at around thirty degrees "
    "gives the culture a head start, and the jar will usually double in six to eight hours "
    "instead of twelve. Avoid anything hot to the touch; yeast tolerates a lot, but not a "
    "scalding.",
    "If you bake only at weekends, there is no need to fight the season at all. Keep the "
    "starter in the fridge, feed it once a week, and take it out the evening before you bake. "
    "Two feedings at room temperature are usually enough to wake it up. A layer of grey "
    "liquid on top simply means it is hungry; pour it off or stir it back in, depending on "
    "how sour you like your bread.",
    "Finally, be patient with the dough itself. Bulk fermentation that took four hours in "
    "July may take seven in January. Watch the dough rather than the clock: it should be "
    "domed, jiggly and roughly half again its original size before you shape it.",
)

EN_TIDES = (
    "A tide table looks intimidating the first time you open one: columns of times, heights "
    "to two decimal places, and abbreviations that nobody explains. In practice you only need "
    "three pieces of information to plan a walk along the shore or a morning in a small boat.",
    "First, find the right station. Tides vary a great deal along a single stretch of coast, "
    "so use the port closest to where you will actually be, not the nearest large city. Many "
    "tables also list secondary stations with corrections in minutes and metres that you add "
    "to the main port's figures.",
    "Second, check which time zone the table uses. Some publishers print every time in "
    "standard time all year round and leave the summer-time adjustment to you. Forgetting "
    "that single hour is the most common mistake beginners make, and on a flat beach an hour "
    "can mean hundreds of metres of water.",
    "Third, look at the heights, not just the times. A low tide of 0.3 metres exposes far more "
    "sand and rock than a low tide of 1.4 metres on the same day of the following week. The "
    "difference comes from the moon: around new and full moon the range is largest, and "
    "around the quarter moons it is smallest.",
    "Once you have those three things, plan to be off the sand well before the water turns. "
    "The tide rarely comes in at a steady pace, and the middle two hours of a rising tide are "
    "usually the fastest. If a route crosses a channel or a causeway, treat the published "
    "safe-crossing times as limits, not suggestions.",
)

EN_BIKE_LANES = (
    "The Riverton city council voted on Tuesday to build protected bike lanes along the full "
    "length of Mill Street, ending a debate that has run for almost two years. The plan passed "
    "by seven votes to four after a public hearing that lasted well past midnight.",
    "Under the approved design, the painted lanes that currently sit between parked cars and "
    "traffic will be replaced with raised lanes separated from the road by a low concrete "
    "curb. Around forty parking spaces will be removed, most of them on the stretch between "
    "the railway station and the covered market.",
    "Supporters argued that Mill Street is the only direct route between the northern "
    "neighbourhoods and the town centre, and that the existing lanes are too narrow for "
    "families and cargo bikes. Several parents described their children riding on the "
    "pavement because the road felt unsafe.",
    "Shop owners near the market were more divided. Some said that losing parking would drive "
    "customers to the retail park on the ring road, while others pointed to a survey carried "
    "out last spring suggesting that most of their customers arrive on foot, by bus or by "
    "bicycle.",
    "Construction is expected to begin in early summer and to take about five months. The "
    "council said that one lane of traffic will remain open throughout, and that loading bays "
    "will be kept outside the bakery, the pharmacy and the post office.",
    "Councillor Amira Holt, who proposed the scheme, said after the vote that the decision was "
    "about safety rather than ideology. 'Nobody should need courage to ride to school,' she "
    "said.",
)

# Small edits turn the article into the syndicated copies of the near-duplicate group.
BIKE_EDITS_V2 = (
    ("almost two years", "nearly two years"),
    ("Around forty parking", "About forty parking"),
    ("Several parents described", "A number of parents described"),
    ("to take about five months", "to last about five months"),
)
BIKE_EDITS_V3 = (
    ("ending a debate", "closing a debate"),
    ("lasted well past midnight", "lasted until after midnight"),
    ("were more divided", "were more split"),
)
BIKE_V3_TAIL = "This article first appeared in the Riverton Herald."

EN_LIBRARY = (
    "Visitors to the Northfield public library are often surprised to find, next to the row "
    "of computer terminals, a tall oak cabinet with sixty small drawers. It is the old card "
    "catalogue, and despite several attempts to remove it, it has stayed.",
    "The catalogue stopped being updated in the late nineteen-nineties, when the collection "
    "moved to an electronic system. But the cards record things the database never captured: "
    "handwritten notes by earlier librarians, cross-references to local pamphlets, and the "
    "names of donors who gave entire shelves of books in the nineteen-fifties.",
    "Local historians use the drawers more than anyone expected. One researcher traced the "
    "history of the town's first bookshop through the stamps on the back of a few hundred "
    "cards. Another found a reference to a collection of sea charts that had been misfiled "
    "for decades and was rediscovered in the basement.",
    "Keeping the cabinet is not free. It takes up floor space that could hold two more study "
    "tables, and the cards are slowly yellowing. The library has started photographing each "
    "drawer so that the notes survive even if the cards do not, and volunteers transcribe a "
    "few hundred cards every month.",
    "For now, the cabinet stays where it is. Children like to open the drawers, and the "
    "librarians say it is the best way they know to explain what a catalogue actually is.",
)

EN_CONTACT = (
    "The Larkspur Community Garden is run entirely by volunteers. If you would like a plot, "
    "want to join a work day, or have found something left behind in the tool shed, please "
    "get in touch with the right person below.",
    "Plot allocations and the waiting list: Jane Doe, jane.doe@example.com, "
    "phone (555) 010-4477.",
    "Work days and volunteering: Rahul Testington, volunteers@example.org, "
    "mobile +1-202-555-0134.",
    "Treasurer (membership fees, invoices): Li Example, treasurer@larkspur.example.org, "
    "555-0198.",
    "Postal address: Larkspur Community Garden, 42 Example Lane, Springfield, ZZ 00000.",
    "Please do not send plot requests to the general inbox at info@example.net, as it is "
    "read only once a month. If the online form does not load, send the error message and "
    "your IP address (for example 203.0.113.7) to webmaster@example.com.",
    "Site visits: Saturdays from nine until noon, except on public holidays.",
)

DE_STREUOBST = (
    "Wer im Frühling durch das Hügelland am Rand der Stadt fährt, sieht sie noch: "
    "hochstämmige Apfel-, Birnen- und Zwetschgenbäume, die scheinbar planlos über eine Wiese "
    "verteilt stehen. Solche Streuobstwiesen prägten früher das Bild vieler Dörfer. Heute "
    "sind sie selten geworden, weil sich ihre Pflege kaum noch lohnt.",
    "Dabei gehören sie zu den artenreichsten Lebensräumen, die es in Mitteleuropa gibt. In "
    "den Höhlen alter Bäume brüten Steinkäuze und Spechte, im hohen Gras leben Heuschrecken "
    "und Wildbienen, und das Fallobst im Herbst ernährt Igel, Drosseln und unzählige "
    "Insekten. Weil die Wiesen nur ein- oder zweimal im Jahr gemäht werden, können viele "
    "Blumen aussamen.",
    "Das Problem ist die Arbeit. Hochstämme müssen regelmäßig geschnitten werden, das Obst "
    "lässt sich nur mühsam ernten, und für Mostäpfel zahlen die Keltereien oft weniger, als "
    "die Ernte kostet. Viele Besitzer haben die Bäume deshalb einfach stehen lassen, bis sie "
    "umgefallen sind.",
    "Inzwischen gibt es jedoch zahlreiche Initiativen, die gegensteuern. Vereine vermitteln "
    "Baumpatenschaften, Schulen pflanzen alte Sorten wie den Gravensteiner oder die Gute "
    "Luise nach, und einige Mostereien zahlen einen Aufpreis für Obst von zertifizierten "
    "Wiesen. Wer selbst helfen möchte, kann bei einem Schnittkurs im Winter mitmachen oder im "
    "Herbst beim Auflesen helfen.",
    "Der Saft, der am Ende dabei herauskommt, schmeckt übrigens anders als alles aus dem "
    "Supermarkt: herber, manchmal etwas trüb, und jedes Jahr ein bisschen anders.",
)

DE_WANDERN = (
    "Eine mehrtägige Wanderung muss nicht in den Alpen stattfinden. Die deutschen "
    "Mittelgebirge bieten gut markierte Fernwanderwege, Unterkünfte in kurzen Abständen und "
    "fast überall einen Bahnhof in der Nähe. Für den Einstieg sind sie deshalb ideal.",
    "Erstens: Planen Sie die Etappen kürzer, als Sie es sich zutrauen. Fünfzehn bis zwanzig "
    "Kilometer am Tag klingen wenig, doch mit Gepäck und Höhenmetern summiert sich das "
    "schnell. Am dritten Tag werden Sie froh sein, wenn noch Zeit für eine lange Mittagspause "
    "bleibt.",
    "Zweitens: Packen Sie leicht. Mehr als acht Kilogramm sollte der Rucksack ohne Wasser "
    "nicht wiegen. Eine zweite Garnitur Kleidung reicht, wenn Sie abends waschen; "
    "Regenjacke, Mütze und eine kleine Erste-Hilfe-Ausrüstung gehören trotzdem immer hinein.",
    "Drittens: Reservieren Sie die Unterkünfte vorher, besonders an Wochenenden und in den "
    "Ferien. Viele kleine Pensionen haben nur wenige Zimmer, und das nächste Dorf kann zwei "
    "Stunden entfernt liegen.",
    "Viertens: Laufen Sie die Schuhe ein. Neue Wanderschuhe sind die häufigste Ursache für "
    "Blasen, und nichts verdirbt eine Tour schneller als ein wunder Fuß am ersten Abend.",
    "Fünftens: Lassen Sie Raum für Umwege. Ein Aussichtsturm, eine Burgruine oder ein "
    "Hofladen am Wegesrand sind oft die Dinge, an die man sich Jahre später noch erinnert.",
)

DE_BIBLIOTHEK = (
    "Die Stadtbibliothek öffnet ab dem kommenden Monat auch sonntags. Von 11 bis 17 Uhr "
    "können Besucherinnen und Besucher dann Bücher ausleihen, in den Lesesälen arbeiten und "
    "die neue Kinderabteilung im ersten Stock nutzen.",
    "Möglich wird das durch ein Selbstverbuchungssystem, das im vergangenen Herbst eingeführt "
    "wurde. Am Sonntag ist nur ein kleines Team vor Ort, das bei Fragen hilft und "
    "Veranstaltungen betreut. Die Rückgabe funktioniert rund um die Uhr über den Automaten am "
    "Haupteingang.",
    "In einer Umfrage hatten sich fast zwei Drittel der Nutzer längere Öffnungszeiten "
    "gewünscht, vor allem Studierende und Familien mit Kindern. Die Verwaltung will die "
    "Besucherzahlen nach einem halben Jahr auswerten und dann entscheiden, ob das Angebot "
    "dauerhaft bleibt.",
    "Zum Auftakt gibt es am ersten Sonntag eine Lesung für Kinder, einen Bücherflohmarkt im "
    "Foyer und Führungen durch das Magazin, das sonst nicht öffentlich zugänglich ist.",
)

FR_PAIN = (
    "Faire son propre pain de campagne demande surtout du temps, beaucoup plus que de la "
    "technique. La recette de base tient en quatre ingrédients : de la farine, de l'eau, du "
    "sel et du levain. Tout le reste est une question d'observation.",
    "Commencez la veille au soir en rafraîchissant votre levain. Le lendemain matin, il doit "
    "avoir doublé de volume et sentir légèrement le yaourt. Mélangez alors cinq cents grammes "
    "de farine de blé T80 avec trois cent cinquante grammes d'eau tiède et laissez reposer "
    "une demi-heure : c'est l'autolyse, qui rend la pâte plus souple.",
    "Ajoutez ensuite cent grammes de levain et dix grammes de sel, puis pétrissez quelques "
    "minutes. Pendant les trois heures suivantes, rabattez la pâte sur elle-même toutes les "
    "demi-heures plutôt que de la pétrir longuement. Elle deviendra lisse et élastique "
    "presque d'elle-même.",
    "Façonnez une boule serrée, déposez-la dans un panier fariné et laissez-la au "
    "réfrigérateur jusqu'au lendemain. Cette fermentation lente développe les arômes et "
    "facilite la grigne.",
    "Pour la cuisson, préchauffez le four à deux cent cinquante degrés avec une cocotte en "
    "fonte à l'intérieur. Enfournez le pain dans la cocotte fermée pendant vingt minutes, "
    "puis retirez le couvercle et prolongez la cuisson de vingt-cinq minutes. Laissez "
    "refroidir au moins une heure avant de couper : la mie continue de cuire à la vapeur.",
)

FR_JARDINS = (
    "Il y a cinq ans, le terrain situé derrière l'ancienne gare de marchandises n'était qu'un "
    "parking à moitié vide. Aujourd'hui, une quarantaine de parcelles y produisent tomates, "
    "courges, fèves et fleurs, entretenues par des habitants de tous âges.",
    "L'association qui gère le jardin compte près de cent vingt membres. Chacun cultive sa "
    "parcelle comme il l'entend, mais certaines règles sont communes : pas de pesticides de "
    "synthèse, un arrosage raisonné grâce aux cuves de récupération d'eau de pluie, et une "
    "journée de travail collectif par mois.",
    "Pour beaucoup, le jardin est d'abord un lieu de rencontre. Les retraités y transmettent "
    "leurs astuces aux jeunes familles, les écoles voisines viennent y observer les insectes, "
    "et un repas partagé réunit tout le monde à la fin de l'été.",
    "La liste d'attente dépasse désormais les soixante noms. La mairie étudie la possibilité "
    "d'ouvrir un second jardin sur une friche proche du canal, à condition que le sol soit "
    "d'abord analysé.",
)

ES_HUERTO = (
    "No hace falta un jardín para cultivar verduras. Un balcón que reciba al menos cinco "
    "horas de sol al día basta para cosechar tomates, lechugas, pimientos y hierbas "
    "aromáticas durante buena parte del año.",
    "Lo primero es elegir bien los recipientes. Las macetas deben tener agujeros de drenaje y "
    "una profundidad mínima de treinta centímetros para las plantas de raíz larga, como el "
    "tomate. Las jardineras de madera o de plástico reciclado funcionan igual de bien que las "
    "de barro, y pesan menos.",
    "El sustrato es la base de todo. Conviene mezclar tierra de buena calidad con compost "
    "maduro y un poco de fibra de coco, que ayuda a retener la humedad en los días de calor. "
    "Evite la tierra del parque o de la obra: suele estar compactada y puede contener "
    "semillas de malas hierbas.",
    "Empiece con pocas especies y fáciles. La lechuga, el rábano y la albahaca crecen rápido "
    "y dan resultados en pocas semanas, lo que anima a seguir. Más adelante puede probar con "
    "calabacines o fresas.",
    "Por último, riegue por la mañana temprano o al atardecer, nunca a pleno sol, y observe "
    "las hojas cada pocos días. Detectar a tiempo un pulgón o una hoja amarillenta ahorra "
    "muchos disgustos.",
)

ES_SIESTA = (
    "La siesta tiene mala fama fuera de España, donde a menudo se asocia con la pereza. Sin "
    "embargo, una pausa breve después de comer puede mejorar la atención y el estado de "
    "ánimo durante el resto de la tarde.",
    "La clave está en la duración. Una siesta de veinte minutos permite descansar sin entrar "
    "en el sueño profundo, de modo que uno se despierta despejado. Si se alarga más de media "
    "hora, es fácil levantarse aturdido y con la sensación de haber dormido demasiado.",
    "También importa el momento. Lo ideal es echarse poco después del almuerzo, cuando el "
    "cuerpo experimenta de forma natural una ligera bajada de energía. Dormir a última hora "
    "de la tarde, en cambio, puede dificultar el descanso nocturno.",
    "No todo el mundo la necesita. Quien duerme bien por la noche y se siente activo durante "
    "el día puede prescindir de ella sin problema. Pero para quienes trabajan a turnos o "
    "tienen noches cortas, esos veinte minutos pueden marcar la diferencia.",
)

RU_SAMOVAR = (
    "Самовар давно перестал быть обязательным предметом на кухне, но во многих семьях его до "
    "сих пор достают по праздникам. Чай из самовара действительно получается другим, и дело "
    "здесь не только в настроении.",
    "Главное правило — вода должна быть свежей и мягкой. Лучше всего подходит родниковая или "
    "хорошо отфильтрованная вода. Кипятить её повторно не стоит: чай получится плоским и "
    "потеряет аромат.",
    "Заварку готовят отдельно, в небольшом фарфоровом чайнике, который ставят на конфорку "
    "наверху самовара. Чайник сначала ополаскивают кипятком, затем насыпают чай из расчёта "
    "одна чайная ложка на стакан и заливают водой примерно на треть. Через пять минут "
    "доливают кипяток доверху.",
    "Крепкую заварку разбавляют горячей водой прямо в чашке, и каждый выбирает крепость по "
    "вкусу. К чаю традиционно подают варенье, мёд, баранки и лимон. Сахар многие кладут не в "
    "чашку, а едят вприкуску.",
    "Если самовар электрический, достаточно следить, чтобы вода не выкипела. С угольным или "
    "дровяным самоваром хлопот больше, но именно он даёт тот лёгкий дымный запах, за который "
    "его так любят.",
)

RU_LYZHI = (
    "Первые беговые лыжи лучше выбирать не по цене и не по цвету, а по тому, как и где вы "
    "собираетесь кататься. Для прогулок по парку и лесным тропам подойдут классические лыжи, "
    "а если вы хотите кататься коньком по подготовленным трассам, понадобится другая модель.",
    "Длину классических лыж обычно подбирают так, чтобы она была на двадцать–тридцать "
    "сантиметров больше роста. Коньковые лыжи короче: к росту прибавляют десять–пятнадцать "
    "сантиметров. Важен и вес лыжника, поэтому в магазине стоит проверить жёсткость колодки.",
    "Новичкам часто советуют лыжи с насечкой. Они не требуют мази держания и хорошо "
    "отталкиваются при любой температуре, хотя скользят немного хуже. Для начала это разумный "
    "компромисс.",
    "Ботинки должны сидеть плотно, но не сдавливать ногу. Примерять их лучше с тем носком, в "
    "котором вы будете кататься. Палки для классического хода доходят до подмышек, для "
    "конькового — примерно до подбородка.",
    "И наконец, не спешите с дорогим снаряжением. Первую зиму можно кататься на прокатных "
    "лыжах и уже потом, понимая свой стиль, покупать собственные.",
)

# "喆" is in GBK but not in GB2312: a decoder that takes the declared gb2312 literally fails.
ZH_TEA = (
    "天气转凉以后，很多人会发现夏天常喝的绿茶不那么合口了。其实，茶的选择和季节、体质都有关系，"
    "并没有一种茶适合所有人。",
    "绿茶和白茶性质偏凉，口感清爽，适合在炎热的夏天饮用。到了秋冬，肠胃比较敏感的人可以换成红茶"
    "或者熟普洱。这两类茶经过充分发酵，口感醇厚，温和不刺激，空腹喝也不容易不舒服。",
    "乌龙茶介于两者之间。铁观音、大红袍等半发酵茶香气浓郁，既能解油腻，又不会太凉，很适合秋天"
    "饭后慢慢品尝。冲泡乌龙茶时水温要高，最好用刚烧开的水，前几泡出汤要快。",
    "在杭州经营茶馆多年的李喆老师提醒，喝茶重在适量。晚上喝浓茶容易影响睡眠，喝多了也可能引起"
    "心慌。他建议每天喝茶不超过四五杯，下午三点以后尽量选择咖啡因含量较低的茶。",
    "另外，存放茶叶也有讲究。绿茶最好密封冷藏，红茶和乌龙茶放在阴凉干燥处即可，普洱茶则需要适当"
    "通风。无论哪种茶，都要远离香料和樟脑等气味强烈的东西。",
)

ZH_CYCLING = (
    "这几年，越来越多的上班族开始骑自行车通勤。早高峰的地铁拥挤不堪，开车又经常堵在路上，而一辆"
    "自行车只需要二三十分钟就能穿过半个城区。",
    "许多城市也在改善骑行环境。新修的非机动车道用隔离栏和机动车分开，路口设置了专门的信号灯，"
    "地铁站旁边划出了大片停车区域。共享单车的普及更是让骑行变得门槛很低，下了地铁扫码就能骑走。",
    "不过，骑车通勤也有需要注意的地方。夏天出汗多，最好在单位备一套干净衣服；雨雪天路面湿滑，"
    "要放慢速度，和前车保持距离。头盔虽然不是强制要求，但能大大降低摔倒时受伤的风险。",
    "一位每天骑行十二公里上班的工程师说，刚开始只是为了省时间，坚持一年以后，体重减了五公斤，"
    "睡眠也好了很多。他笑着说：“现在不骑车反而觉得不习惯。”",
)

ZH_EGGPLANT = (
    "红烧茄子是一道非常下饭的家常菜，做法并不复杂，但想做得软糯入味又不油腻，需要掌握几个小窍门。",
    "首先，茄子切成滚刀块以后，撒少许盐拌匀，腌十分钟，再挤掉渗出的水分。这样处理过的茄子在锅里"
    "不容易吸油，炒出来也不会发黑。",
    "其次，调好一碗料汁：两勺生抽、一勺老抽、一勺白糖、一勺醋，再加少许淀粉和清水搅匀。提前调好"
    "料汁，下锅时就不会手忙脚乱。",
    "锅里放油烧热，先把茄子煎到表面微黄变软后盛出。用底油爆香蒜末和葱花，再把茄子倒回锅中，淋入"
    "料汁大火翻炒，汤汁变得浓稠就可以出锅了。喜欢吃辣的，可以加几个干辣椒一起炒。",
)

ZH_HANT_TEMPLE = (
    "每到週末，老街上的廟口總是擠滿了人。香客在廟裡拜拜，遊客則沿著廟前的小巷一攤一攤地吃過去，"
    "從早上一直熱鬧到深夜。",
    "這裡最有名的是蚵仔煎和肉圓。蚵仔煎的攤子已經傳到第三代，老闆每天清晨親自到漁港挑選新鮮的"
    "蚵仔，煎好後淋上特製的甜辣醬，外酥內嫩。肉圓則是用地瓜粉做皮，蒸熟後再用低溫的油泡過，"
    "口感Q彈。",
    "如果想吃點清爽的，可以試試廟旁的杏仁豆腐和愛玉冰。愛玉是用愛玉子在水中搓洗出來的天然果凍，"
    "加上檸檬汁和糖水，是夏天最受歡迎的消暑甜品。",
    "老店的老闆娘說，這些年來客人的口味變了不少，但她堅持用傳統的做法，不加味精，醬料也都自己"
    "熬。她笑著說：「做吃的，最重要的就是良心。」",
    "建議避開週末中午的人潮，平日傍晚來逛最舒服。吃完以後，不妨到廟裡走走，看看屋頂上精緻的"
    "剪黏和交趾陶。",
)

ZH_HANT_HIKING = (
    "台灣的郊山步道多半離市區不遠，搭公車或捷運就能抵達登山口，是入門登山的好選擇。不過，郊山"
    "雖然不高，也不能掉以輕心。",
    "出發前，先查好天氣和步道資訊。午後雷陣雨在夏天很常見，最好一早出發、中午以前下山。也要留意"
    "步道是否因為颱風或坍方而封閉。",
    "裝備方面，一雙抓地力好的鞋子最重要。山路常有樹根和濕滑的石階，穿拖鞋或平底鞋很容易滑倒。"
    "背包裡要帶足夠的水、簡單的乾糧、雨衣和頭燈，手機也要充飽電。",
    "在山上請遵守無痕山林的原則：垃圾帶下山，不餵食野生動物，不摘花草。遇到其他山友時打聲招呼，"
    "上坡的人有優先通行權。",
    "最後，別忘了告訴家人你的路線和預計下山時間。萬一發生意外，這些資訊能幫助救難人員更快找到你。",
)

JA_SENTO = (
    "家にお風呂があるのが当たり前になった今でも、町の銭湯には根強いファンがいます。大きな湯船に"
    "手足を伸ばして浸かる気持ちよさは、家庭の浴槽ではなかなか味わえません。",
    "初めて行くときは、タオルと石けん、シャンプーを持っていくと安心です。最近は手ぶらで行けるように、"
    "タオルの貸し出しや小分けのシャンプーを販売しているところも増えています。",
    "入る前には、まずかけ湯をして体の汚れを落とすのがマナーです。タオルを湯船に入れたり、髪の長い"
    "人が髪をお湯につけたりするのは避けましょう。洗い場で使った椅子や桶は、元の場所に戻しておきます。",
    "壁に描かれた富士山のペンキ絵も、銭湯の楽しみのひとつです。絵師の数は年々減っていますが、数年"
    "ごとに描き替える銭湯もあり、その様子を見学できるイベントも開かれています。",
    "お風呂上がりには、脱衣所で冷たい牛乳やコーヒー牛乳を飲むのが定番です。地元の常連さんと何気ない"
    "会話を交わすのも、銭湯ならではの魅力と言えるでしょう。",
)

JA_EKIBEN = (
    "鉄道の旅の楽しみといえば、やはり駅弁です。その土地の名物を詰め込んだお弁当を、車窓の景色を"
    "眺めながら味わう時間は、旅の大切な思い出になります。",
    "駅弁の種類は全国で数千にのぼると言われています。海沿いの駅ではカニやイカ、ウニを使ったものが"
    "多く、内陸の駅では牛肉や山菜、川魚を使ったお弁当が人気です。容器にも工夫があり、陶器の釜に"
    "入ったものや、ひもを引くと温まるものもあります。",
    "人気の駅弁は昼前に売り切れてしまうことも珍しくありません。確実に手に入れたい場合は、前日までに"
    "予約できるかどうか駅の売店に問い合わせてみるとよいでしょう。",
    "最近では、大きな駅で各地の駅弁を集めた売り場も増えました。旅に出られないときでも、遠くの町の"
    "味を気軽に楽しめます。",
)

AR_COFFEE = (
    "تحتل القهوة العربية مكانة خاصة في ثقافة الضيافة، فهي أول ما يقدَّم للضيف عند وصوله، "
    "وغالباً ما تُصبّ قبل أي حديث. ولا يقتصر الأمر على المشروب نفسه، بل يشمل طريقة التحضير "
    "والتقديم وآداب الشرب.",
    "تُحمَّص حبوب البن تحميصاً خفيفاً في الغالب، ثم تُطحن وتُغلى مع الماء في دلة نحاسية. "
    "ويضاف إليها الهيل بكمية وافرة، وأحياناً الزعفران أو القرنفل، بحسب عادات كل منطقة. "
    "والنتيجة قهوة فاتحة اللون ذات رائحة عطرية قوية.",
    "يمسك المضيف الدلة بيده اليسرى والفناجين بيده اليمنى، ويبدأ بصبّ القهوة للضيف الأكبر سناً "
    "أو الأعلى مكانة. ولا يُملأ الفنجان إلا إلى ربعه تقريباً، حتى يبقى المشروب ساخناً ويُعاد "
    "صبّه مرة بعد مرة.",
    "وعندما يكتفي الضيف، يهزّ الفنجان هزّة خفيفة قبل أن يعيده، وهي إشارة مفهومة لدى الجميع "
    "بأنه لا يرغب في المزيد. وتُقدَّم القهوة عادة مع التمر الذي يوازن مرارتها بحلاوته.",
)

AR_LIBRARIES = (
    "قد يظن البعض أن المكتبات العامة فقدت دورها بعد انتشار الهواتف الذكية والكتب الإلكترونية، "
    "لكن الواقع في كثير من المدن يشير إلى عكس ذلك.",
    "فالمكتبة اليوم لم تعد مجرد رفوف للكتب، بل أصبحت مساحة مفتوحة للتعلم واللقاء. تنظم ورشاً "
    "للأطفال في القراءة والرسم، ودورات في مهارات الحاسوب لكبار السن، وتوفر إنترنت مجانياً لمن "
    "لا يملكون اتصالاً في منازلهم.",
    "ويقول أحد أمناء المكتبات إن عدد الزوار ارتفع في السنوات الأخيرة، خاصة من الطلاب الذين "
    "يبحثون عن مكان هادئ للمذاكرة. وأضاف أن الإعارة الورقية ما زالت تحظى بإقبال كبير، إلى جانب "
    "خدمة الكتب الصوتية.",
    "ومع ذلك، تواجه المكتبات تحديات حقيقية، أبرزها نقص التمويل وصعوبة تحديث المجموعات. ولهذا "
    "تلجأ بعضها إلى التطوع والشراكات مع المدارس والجمعيات المحلية لضمان استمرار خدماتها.",
)

HI_MONSOON = (
    "बारिश का मौसम गर्मी से राहत तो देता है, लेकिन इसके साथ कई घरेलू परेशानियाँ भी आती हैं। "
    "दीवारों पर सीलन, अलमारी में फफूंद और कपड़ों से आती बदबू लगभग हर घर की कहानी है।",
    "सबसे पहले छत और खिड़कियों की जाँच करें। मानसून शुरू होने से पहले छत की दरारें भरवा लें और "
    "नालियों की सफ़ाई करा दें, ताकि पानी कहीं रुके नहीं। खिड़कियों के किनारों पर लगी पुरानी सील "
    "बदल देना भी फ़ायदेमंद रहता है।",
    "घर में हवा का आना-जाना बहुत ज़रूरी है। जब धूप निकले, तब खिड़कियाँ खोल दें और रसोई व बाथरूम "
    "में एग्ज़ॉस्ट पंखा चलाएँ। गीले कपड़े कमरे के अंदर सुखाने से नमी और बढ़ती है, इसलिए हो सके तो "
    "उन्हें बालकनी में या पंखे के नीचे सुखाएँ।",
    "अगर दीवार पर सीलन के धब्बे दिखने लगें, तो उन्हें केवल रंग से न ढकें। पहले नमी का कारण पता "
    "करें, वरना कुछ ही हफ़्तों में दाग़ फिर लौट आएँगे।",
)

HI_RAIL = (
    "भारत में रेल यात्रा केवल एक जगह से दूसरी जगह जाने का साधन नहीं है, बल्कि अपने आप में एक "
    "अनुभव है। लंबी दूरी की गाड़ी में बिताए दो दिन अक्सर नए दोस्त, नई कहानियाँ और ढेर सारी यादें "
    "दे जाते हैं।",
    "हर बड़े स्टेशन की अपनी पहचान होती है। कहीं की चाय मशहूर है, कहीं के समोसे, तो कहीं के पेड़े। "
    "खिड़की से हाथ बढ़ाकर कुल्हड़ वाली गरम चाय लेना कई लोगों के लिए सफ़र का सबसे प्यारा पल होता है।",
    "डिब्बे के अंदर भी एक छोटी-सी दुनिया बस जाती है। बच्चे ऊपर की बर्थ पर खेलते हैं, बुज़ुर्ग "
    "अख़बार पढ़ते हैं और परिवार एक-दूसरे से खाना बाँटते हैं। अजनबी भी कुछ घंटों में जान-पहचान वाले "
    "बन जाते हैं।",
    "आजकल तेज़ रफ़्तार गाड़ियाँ और ऑनलाइन टिकट ने सफ़र को आसान बना दिया है, फिर भी पुरानी यादें "
    "लोगों के मन में ताज़ा हैं। शायद इसीलिए कहा जाता है कि असली भारत को देखना हो, तो रेल से सफ़र "
    "कीजिए।",
)

TH_MARKET = (
    "ตลาดน้ำเป็นภาพที่คุ้นตาของชุมชนริมคลองในภาคกลางมาตั้งแต่อดีต ชาวบ้านพายเรือนำผักผลไม้ อาหาร "
    "และของใช้มาขายกันตั้งแต่เช้ามืด ก่อนที่ถนนจะเข้ามาแทนที่เส้นทางน้ำ",
    "ปัจจุบันตลาดน้ำหลายแห่งกลายเป็นแหล่งท่องเที่ยวยอดนิยม นักท่องเที่ยวสามารถนั่งเรือชมวิถีชีวิตริมน้ำ "
    "ชิมก๋วยเตี๋ยวเรือ ขนมไทย และผลไม้ตามฤดูกาลได้ในราคาไม่แพง",
    "ช่วงเวลาที่ดีที่สุดในการไปเที่ยวคือเช้าตรู่ เพราะอากาศยังไม่ร้อนและแม่ค้าเพิ่งนำสินค้าสดใหม่มาวาง "
    "หากไปสาย ๆ คนจะเริ่มเยอะและของบางอย่างอาจหมด",
    "ที่สำคัญ ควรช่วยกันรักษาความสะอาดของคลอง ไม่ทิ้งขยะลงน้ำ เพื่อให้ตลาดน้ำยังคงอยู่คู่ชุมชนต่อไปอีกนาน",
)

TH_RICE = (
    "ในช่วงหลายปีที่ผ่านมา ชาวนาหลายพื้นที่ต้องเผชิญกับปัญหาภัยแล้งและน้ำไม่เพียงพอต่อการทำนา "
    "จึงเริ่มหันมาใช้วิธีปลูกข้าวแบบเปียกสลับแห้ง",
    "วิธีนี้ไม่ต้องขังน้ำในแปลงนาตลอดเวลา แต่จะปล่อยให้ดินแห้งเป็นระยะ แล้วจึงเติมน้ำใหม่เมื่อระดับน้ำ"
    "ลดลงต่ำกว่าผิวดินประมาณสิบห้าเซนติเมตร ชาวนาสามารถตรวจระดับน้ำได้ง่าย ๆ "
    "ด้วยท่อพลาสติกเจาะรูที่ฝังไว้ในแปลง",
    "ผลการทดลองในหลายพื้นที่พบว่าวิธีนี้ช่วยลดการใช้น้ำได้เกือบหนึ่งในสาม โดยที่ผลผลิตไม่ลดลง "
    "นอกจากนี้ยังช่วยลดการปล่อยก๊าซมีเทนจากนาข้าว ซึ่งเป็นก๊าซเรือนกระจกที่สำคัญ",
    "อย่างไรก็ตาม ชาวนาต้องปรับระดับพื้นนาให้เรียบสม่ำเสมอและควบคุมวัชพืชให้ดี เพราะเมื่อดินแห้ง "
    "วัชพืชจะงอกได้ง่ายขึ้น",
)

KO_KIMJANG = (
    "늦가을이 되면 많은 가정에서 김장을 준비한다. 겨우내 먹을 김치를 한꺼번에 담그는 일은 손이 "
    "많이 가지만, 가족과 이웃이 모여 함께 일하고 음식을 나누는 즐거운 행사이기도 하다.",
    "김장의 시작은 배추 절이기다. 배추를 반으로 가른 뒤 소금물에 적시고, 줄기 부분에 굵은 소금을 "
    "뿌려 하룻밤 정도 절인다. 잘 절여진 배추는 줄기를 구부려도 부러지지 않고 부드럽게 휘어진다.",
    "그동안 양념을 만든다. 고춧가루에 다진 마늘과 생강, 젓갈, 찹쌀풀을 넣고 섞은 다음 채 썬 무와 "
    "쪽파, 갓을 넣어 버무린다. 지역마다, 집집마다 들어가는 재료와 비율이 조금씩 달라서 같은 "
    "김치라도 맛이 다르다.",
    "절인 배추를 깨끗이 헹구고 물기를 뺀 뒤, 잎 사이사이에 양념을 골고루 바른다. 완성된 김치는 "
    "통에 꼭꼭 눌러 담고 공기가 닿지 않도록 윗부분을 배추 겉잎으로 덮어 둔다.",
    "김장을 마친 날에는 갓 버무린 김치에 수육을 싸 먹는 것이 빠질 수 없는 즐거움이다.",
)

KO_HANGANG = (
    "날씨가 선선해지면 강변 자전거길을 찾는 사람들이 부쩍 늘어난다. 강을 따라 길게 이어진 "
    "자전거길은 경사가 거의 없어서 초보자도 부담 없이 달릴 수 있다.",
    "자전거가 없어도 걱정할 필요는 없다. 공원 곳곳에 대여소가 있어 시간 단위로 빌릴 수 있고, "
    "공공자전거를 이용하면 원하는 곳에서 반납할 수도 있다.",
    "다만 주말에는 이용자가 많으므로 속도를 줄이고 앞사람과 충분한 거리를 두는 것이 좋다. 추월할 "
    "때는 미리 벨을 울리거나 말로 알려 주고, 보행자 구역에서는 자전거에서 내려 걸어가야 한다.",
    "해가 진 뒤에 달릴 계획이라면 전조등과 후미등을 꼭 켜야 한다. 물과 간단한 간식을 챙기고, "
    "중간중간 쉼터에서 강바람을 맞으며 쉬어 가면 훨씬 즐겁게 달릴 수 있다.",
)

# Hand-written main content for the pages that are not articles.
SPAM_ZH_HTML = """<!-- fictional spam written for the polycorpus sample corpus -->
<div class="banner"><h1>金龙国际娱乐城 官方网站 | 真人百家乐 | 体育投注 | 电子游戏</h1></div>
<p>金龙国际娱乐城，亚洲最具信誉的线上娱乐平台！注册即送88元彩金，首存再送100%，最高返水3.0%！</p>
<p>百家乐 龙虎斗 21点 轮盘 老虎机 捕鱼 彩票 体育投注 真人视讯 电子游戏 百家乐 龙虎斗 21点 轮盘 老虎机 捕鱼 彩票 体育投注 真人视讯</p>
<p>日赚千元不是梦！稳赚不赔！提款秒到账！24小时在线客服，微信：jl8888-example，QQ：00000000</p>
<ul class="cta">
<li><a href="https://jl888.example/register">立即注册</a></li>
<li><a href="https://jl888.example/demo">免费试玩</a></li>
<li><a href="https://jl888.example/app">手机APP下载</a></li>
<li><a href="https://jl888.example/promo">优惠活动</a></li>
<li><a href="https://jl888.example/agent">代理加盟</a></li>
</ul>
<p>热门搜索：金龙娱乐城 金龙国际 金龙娱乐官网 金龙娱乐城开户 金龙娱乐城注册 金龙娱乐城app 金龙娱乐城网址 金龙娱乐城登录 金龙娱乐城平台 金龙娱乐城百家乐 金龙娱乐城老虎机 金龙娱乐城体育</p>
<p>金龙国际娱乐城 金龙国际娱乐城 金龙国际娱乐城 最新网址 jl888.example 永久域名 请牢记！</p>"""

LOGIN_HTML = """<form class="login" action="/login" method="post">
<h2>Member login</h2>
<label for="u">Username</label> <input id="u" name="user">
<label for="p">Password</label> <input id="p" name="pass" type="password">
<label><input type="checkbox" name="remember"> Remember me</label>
<button type="submit">Log in</button>
<p><a href="/reset">Forgot your password?</a> | <a href="/join">Create an account</a></p>
</form>"""

COMING_SOON_HTML = """<h1>Coming soon</h1>
<p>Our new shop opens this spring. Leave your e-mail to hear first.</p>
<form action="/notify"><input name="email" type="email"> <button>Notify me</button></form>"""

SOFT_404_HTML = """<h1>Oops!</h1>
<p>Sorry, we can't find the page you are looking for.</p>
<p>Try the search box above or go back to the <a href="/">home page</a>.</p>"""

DEAL_LINES = (
    "Free shipping on all orders over $50!",
    "Limited time offer - click here to save 70%!",
    "Hot deal: wireless earbuds for only $9.99!",
    "Sign up for our newsletter and never miss a deal.",
)
REPEATED_HTML = "<h1>Today's best deals</h1>\n" + "\n".join(
    f"<p>{escape(DEAL_LINES[i % len(DEAL_LINES)])}</p>" for i in range(36)
)

NGINX_404 = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
NGINX_301 = NGINX_404.replace(b"404 Not Found", b"301 Moved Permanently")

SITE_CSS = b"""/* site.css - shared stylesheet of the sample sites */
:root { --ink: #1d2b36; --accent: #1f6f8b; --paper: #fbfaf7; }
body { margin: 0; font: 17px/1.6 Georgia, "Noto Serif", serif; color: var(--ink); background: var(--paper); }
.site-header { display: flex; gap: 2rem; align-items: center; padding: 1rem 2rem; border-bottom: 1px solid #ddd; }
.site-header nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.cookie-banner { position: fixed; bottom: 0; left: 0; right: 0; padding: .75rem 2rem; background: #eee; }
main { display: grid; grid-template-columns: minmax(0, 42rem) 16rem; gap: 3rem; padding: 2rem; }
article h1 { font-size: 2rem; line-height: 1.2; }
aside { font-size: .9rem; border-left: 1px solid #ddd; padding-left: 1rem; }
footer { padding: 2rem; font-size: .8rem; color: #666; border-top: 1px solid #ddd; }
[dir="rtl"] aside { border-left: 0; border-right: 1px solid #ddd; padding-right: 1rem; }
"""


def png_bytes(width: int = 16, height: int = 16) -> bytes:
    """A small gradient PNG; stored (level 0) deflate so the bytes never depend on zlib."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((16 * x, 16 * y, 160)) for x in range(width)) for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b"")


# --------------------------------------------------------------------------
# Pages and resources
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Page:
    """One crawled URL and the ground truth about it.

    ``encoding`` is the codec of the bytes; ``http_charset`` / ``meta_charset`` are what the
    server and the document *declare* (None: not declared there), which may disagree with it.
    """

    slug: str
    warc: int
    url: str
    lang: str
    site: str
    title: str = ""
    paragraphs: tuple[str, ...] = ()
    main_html: str = ""  # used instead of paragraphs for non-article pages
    encoding: str = "utf-8"
    http_charset: str | None = "utf-8"
    meta_charset: str | None = "utf-8"
    meta_http_equiv: bool = False  # old-style <meta http-equiv="Content-Type" ...>
    defect: str = ""
    group: str = ""
    # Non-HTML resources: raw body and headers instead of rendered HTML.
    status: str = "200 OK"
    content_type: str = ""
    body: bytes = b""
    extra_headers: tuple[tuple[str, str], ...] = ()


def edited(paragraphs: tuple[str, ...], edits: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """Apply word-level edits; each edit must match exactly once so copies stay near-duplicates."""
    text = "\n".join(paragraphs)
    for old, new in edits:
        if text.count(old) != 1:
            raise ValueError(f"edit {old!r} must match exactly once")
        text = text.replace(old, new)
    return tuple(text.split("\n"))


def build_pages() -> list[Page]:
    """The crawl, in fetch order. ``warc`` says which of the two files holds each page."""
    tides = Page(
        "en-tides", 0, "https://harbournotes.example.org/guides/reading-tide-tables", "en",
        "Harbour Notes", "A beginner's guide to reading a tide table", EN_TIDES,
        defect="exact duplicate (source)", group="exact-tides",
    )
    bike_v1 = Page(
        "en-bike-lanes-v1", 0, "https://www.rivertonherald.example.com/news/2024/04/mill-street-bike-lanes",
        "en", "Riverton Herald", "Council approves protected bike lanes on Mill Street", EN_BIKE_LANES,
        defect="near duplicate (original)", group="near-bike-lanes",
    )
    return [
        # ---------------------------------------------------------------- crawl-00
        Page("en-sourdough", 0, "https://crumbjournal.example.com/2024/03/starter-in-winter", "en",
             "The Crumb Journal", "Keeping a sourdough starter happy through the winter", EN_SOURDOUGH),
        Page("css", 0, "https://crumbjournal.example.com/static/site.css", "", "",
             content_type="text/css", body=SITE_CSS, defect="non-HTML (stylesheet)"),
        tides,
        Page("de-streuobst", 0, "http://www.naturnotizen.example/artikel/streuobstwiesen.html", "de",
             "Naturnotizen", "Streuobstwiesen: Warum die alten Obstbäume so wertvoll sind", DE_STREUOBST,
             encoding="iso-8859-1", http_charset="ISO-8859-1", meta_charset="iso-8859-1",
             defect="legacy encoding ISO-8859-1 (declared in header and meta)"),
        Page("ru-samovar", 0, "http://chaynaya.example.ru/stati/samovar.html", "ru",
             "Чайная заметка", "Как заварить чай в самоваре", RU_SAMOVAR,
             encoding="windows-1251", http_charset=None, meta_charset="windows-1251",
             defect="windows-1251 declared only in <meta charset>"),
        Page("zh-tea", 0, "http://cha.example.cn/wenzhang/qiudong-hecha.html", "zh-Hans",
             "茶话生活", "秋冬季节如何选择适合自己的茶", ZH_TEA,
             encoding="gbk", http_charset="gb2312", meta_charset=None,
             defect="GBK bytes declared gb2312 in the HTTP header only; contains GBK-only 喆"),
        bike_v1,
        Page("fr-pain", 0, "https://www.cuisine-maison.example.fr/recettes/pain-de-campagne", "fr",
             "Cuisine Maison", "Le pain de campagne maison, étape par étape", FR_PAIN),
        Page("png", 0, "https://crumbjournal.example.com/static/logo.png", "", "",
             content_type="image/png", body=png_bytes(), defect="non-HTML (image)"),
        Page("es-huerto", 0, "https://www.verdeciudad.example.es/guias/huerto-urbano-balcon", "es",
             "Verde Ciudad", "Cómo empezar un huerto urbano en el balcón", ES_HUERTO,
             defect="main text duplicated verbatim in notes.jsonl (note-005)", group="exact-huerto"),
        Page("zh-hant-temple", 0, "http://food.example.tw/article/miaokou-xiaochi.html", "zh-Hant",
             "巷弄美食誌", "廟口小吃散步：老街上的古早味", ZH_HANT_TEMPLE,
             encoding="big5", http_charset="big5", meta_charset="big5", defect="legacy encoding Big5"),
        Page("ja-sento", 0, "http://machi-kurashi.example.jp/column/sento.html", "ja",
             "まち暮らし通信", "銭湯のすすめ：町のお風呂屋さんを楽しむ", JA_SENTO,
             encoding="shift_jis", http_charset="Shift_JIS", meta_charset="Shift_JIS",
             meta_http_equiv=True, defect="legacy encoding Shift_JIS (http-equiv meta)"),
        Page("en-contact", 0, "https://larkspur.example.org/contact", "en",
             "Larkspur Community Garden", "Contact the garden committee", EN_CONTACT,
             defect="PII: fictitious e-mail addresses, 555 phone numbers, postal and IP address"),
        Page("de-wandern", 0, "https://www.wanderzeit.example.de/tipps/erste-mehrtagestour", "de",
             "Wanderzeit", "Wandern im Mittelgebirge: Fünf Tipps für die erste Mehrtagestour", DE_WANDERN),
        Page("ar-coffee", 0, "https://www.diwan-magazine.example/culture/arabic-coffee", "ar",
             "مجلة الديوان", "القهوة العربية: تقاليد الضيافة في فنجان صغير", AR_COFFEE),
        Page("zh-spam", 0, "http://www.jl888.example/index.html", "zh-Hans",
             "金龙国际娱乐城", "金龙国际娱乐城-注册送88元-最高返水3.0%", main_html=SPAM_ZH_HTML,
             defect="spam: gambling advertising, keyword stuffing"),
        Page("hi-monsoon", 0, "https://www.gharsansar.example.in/lekh/monsoon-seelan", "hi",
             "घर संसार", "मानसून में घर को सीलन से कैसे बचाएँ", HI_MONSOON),
        Page("en-coming-soon", 0, "https://oakandember.example.com/", "en",
             "Oak & Ember Candles", "Coming soon", main_html=COMING_SOON_HTML,
             defect="too short: placeholder page"),
        Page("th-market", 0, "https://www.thiaw-thai.example/article/floating-market", "th",
             "เที่ยวไทยไปกับเรา", "ตลาดน้ำ: เสน่ห์ของการค้าขายริมคลอง", TH_MARKET),
        Page("en-login", 0, "https://members.example.net/login", "en",
             "Members Area", "Member login", main_html=LOGIN_HTML,
             defect="boilerplate only: login form, navigation and footer"),
        Page("ko-kimjang", 0, "https://www.sallim.example.kr/story/kimjang", "ko",
             "살림 이야기", "김장, 함께해서 더 맛있는 겨울 준비", KO_KIMJANG),
        # ---------------------------------------------------------------- crawl-01
        dataclasses.replace(
            tides, slug="en-tides-mirror", warc=1,
            url="http://mirror.example.net/harbournotes/guides/reading-tide-tables?utm_source=feed",
            defect="exact duplicate of en-tides (identical bytes, different URL)",
        ),
        Page("en-bike-lanes-v2", 1, "https://valleycourier.example.net/local/riverton-mill-street-lanes",
             "en", "Valley Courier", "Riverton approves protected bike lanes on Mill Street",
             edited(EN_BIKE_LANES, BIKE_EDITS_V2),
             defect="near duplicate of en-bike-lanes-v1 (4 small edits)", group="near-bike-lanes"),
        Page("zh-eggplant", 1, "http://meishi.example.com/caipu/hongshao-qiezi.html", "zh-Hans",
             "家常美食", "红烧茄子的家常做法", ZH_EGGPLANT,
             encoding="utf-8", http_charset="iso-8859-1", meta_charset=None,
             defect="WRONG charset: UTF-8 bytes, HTTP header says iso-8859-1, no meta"),
        Page("en-library", 1, "https://www.northfieldgazette.example.com/community/card-catalogue", "en",
             "Northfield Gazette", "Why our library still keeps its card catalogue", EN_LIBRARY),
        Page("de-bibliothek", 1, "https://www.stadtanzeiger.example.de/lokales/bibliothek-sonntag", "de",
             "Stadtanzeiger", "Stadtbibliothek öffnet künftig auch sonntags", DE_BIBLIOTHEK),
        Page("redirect", 1, "http://www.rivertonherald.example.com/mill-street", "", "",
             status="301 Moved Permanently", content_type="text/html", body=NGINX_301,
             extra_headers=(("Location", bike_v1.url),), defect="non-HTML: 301 redirect"),
        Page("fr-jardins", 1, "https://www.quartier-gare.example.fr/vie-locale/jardins-partages", "fr",
             "Le Journal du Quartier", "Les jardins partagés transforment le quartier de la gare", FR_JARDINS),
        Page("en-deals", 1, "https://deals.example.com/today", "en",
             "MegaDeals", "Today's best deals", main_html=REPEATED_HTML,
             defect="repeated lines: 4 lines repeated 9 times each"),
        Page("es-siesta", 1, "https://www.vivirmejor.example.es/salud/siesta", "es",
             "Vivir Mejor", "Por qué dormir la siesta sigue siendo una buena idea", ES_SIESTA),
        Page("ru-lyzhi", 1, "https://sport-dom.example.ru/zima/begovye-lyzhi", "ru",
             "Спорт дома", "Как выбрать беговые лыжи для начинающих", RU_LYZHI),
        Page("zh-cycling", 1, "https://www.chengshi.example.cn/shenghuo/qixing-tongqin", "zh-Hans",
             "城市生活", "城市骑行：上班路上的新选择", ZH_CYCLING),
        Page("not-found", 1, "https://crumbjournal.example.com/2019/old-recipe", "", "",
             status="404 Not Found", content_type="text/html", body=NGINX_404,
             defect="non-HTML: HTTP 404"),
        Page("en-bike-lanes-v3", 1, "https://newsdigest.example.org/stories/riverton-bike-lanes", "en",
             "News Digest", "Council approves protected bike lanes on Mill Street",
             edited(EN_BIKE_LANES, BIKE_EDITS_V3) + (BIKE_V3_TAIL,),
             defect="near duplicate of en-bike-lanes-v1 (3 edits + 1 added line)", group="near-bike-lanes"),
        Page("zh-hant-hiking", 1, "https://www.shanxing.example.tw/guide/jiaoshan-buzhou", "zh-Hant",
             "山行筆記", "新手爬山：郊山步道的準備", ZH_HANT_HIKING),
        Page("ja-ekiben", 1, "https://tabi-memo.example.jp/articles/ekiben", "ja",
             "旅メモ", "駅弁で楽しむ鉄道の旅", JA_EKIBEN),
        Page("en-soft-404", 1, "https://shop.example.com/products/discontinued-lamp", "en",
             "Lamp & Light Shop", "Page not found", main_html=SOFT_404_HTML,
             defect="too short: soft 404 served with status 200"),
        Page("ar-libraries", 1, "https://www.almadina-news.example/society/public-libraries", "ar",
             "أخبار المدينة", "المكتبات العامة في عصر الهواتف الذكية", AR_LIBRARIES),
        Page("hi-rail", 1, "https://www.yatra-katha.example.in/anubhav/rail-yatra", "hi",
             "यात्रा कथा", "रेल यात्रा की यादें", HI_RAIL),
        Page("th-rice", 1, "https://www.kaset-news.example/farming/awd-rice", "th",
             "ข่าวเกษตร", "การปลูกข้าวแบบประหยัดน้ำ", TH_RICE),
        Page("ko-bikepath", 1, "http://www.dongne.example.kr/life/bike-path.html", "ko",
             "동네 소식", "강변 자전거길, 초보자를 위한 안내", KO_HANGANG,
             encoding="euc-kr", http_charset="EUC-KR", meta_charset="euc-kr", meta_http_equiv=True,
             defect="legacy encoding EUC-KR (http-equiv meta)"),
    ]


def render_html(page: Page) -> bytes:
    """Render a page with its site chrome and encode it in the page's (legacy) encoding."""
    chrome = CHROME[page.lang]
    if page.meta_charset is None:
        meta = ""
    elif page.meta_http_equiv:
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={page.meta_charset}">\n'
    else:
        meta = f'<meta charset="{page.meta_charset}">\n'
    if page.main_html:
        main = page.main_html
    else:
        main = f"<h1>{escape(page.title)}</h1>\n" + "\n".join(
            f"<p>{escape(p, quote=False)}</p>" for p in page.paragraphs
        )
    nav = "".join(f'<li><a href="/{i}/">{escape(n)}</a></li>' for i, n in enumerate(chrome.nav))
    related = "".join(f'<li><a href="/more/{i}">{escape(t)}</a></li>' for i, t in enumerate(chrome.related_items))
    links = " | ".join(f'<a href="/legal/{i}">{escape(t)}</a>' for i, t in enumerate(chrome.footer_links))
    direction = ' dir="rtl"' if chrome.rtl else ""
    html = (
        f'<!DOCTYPE html>\n<html lang="{chrome.html_lang}"{direction}>\n<head>\n{meta}'
        f"<title>{escape(page.title)} | {escape(page.site)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="stylesheet" href="/static/site.css">\n'
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}</script>\n"
        "</head>\n<body>\n"
        f'<header class="site-header"><a class="logo" href="/">{escape(page.site)}</a>\n'
        f"<nav><ul>{nav}</ul></nav>\n"
        f'<form class="search" action="/search"><input name="q" placeholder="{escape(chrome.search)}"></form></header>\n'
        f'<div class="cookie-banner">{escape(chrome.cookie)} <button>{escape(chrome.accept)}</button></div>\n'
        f"<main>\n<article>\n{main}\n</article>\n"
        f"<aside><h2>{escape(chrome.related)}</h2><ul>{related}</ul>\n"
        f'<p><a href="/newsletter">{escape(chrome.newsletter)}</a></p></aside>\n</main>\n'
        f"<footer><p>&copy; 2024 {escape(page.site)}. {escape(chrome.rights)}</p><p>{links}</p></footer>\n"
        "</body>\n</html>\n"
    )
    return html.encode(page.encoding)  # strict: fails loudly if a text does not fit its legacy codec


def response_of(page: Page) -> tuple[str, str, bytes, list[tuple[str, str]]]:
    """(status line, Content-Type header, body, extra headers) of a page."""
    if page.body:
        return page.status, page.content_type, page.body, list(page.extra_headers)
    ctype = "text/html" if page.http_charset is None else f"text/html; charset={page.http_charset}"
    return page.status, ctype, render_html(page), []


# --------------------------------------------------------------------------
# WARC writing
# --------------------------------------------------------------------------


def record_id(*key: object) -> str:
    """A stable WARC-Record-ID: UUIDv5 of what the record is, never random."""
    return f"<urn:uuid:{uuid.uuid5(NAMESPACE, ':'.join(map(str, key)))}>"


def warc_date(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_warc(path: Path, pages: list[Page], start: datetime) -> Counter[str]:
    """Write one gzipped WARC/1.1 file (a gzip member per record); return record counts by type."""
    counts: Counter[str] = Counter()
    name = path.name
    warcinfo_id = record_id(name, "warcinfo")
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")

        def emit(record) -> None:
            writer.write_record(record)
            counts[record.rec_type] += 1

        info = (
            "software: polycorpus examples/make_sample_corpus.py (warcio)\r\n"
            "format: WARC File Format 1.1\r\n"
            "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
            "isPartOf: polycorpus-sample-crawl\r\n"
            "description: Sample crawl written for the polycorpus project. All pages, sites, "
            "people and contact details are fictional.\r\n"
            "license: Apache-2.0\r\n"
        ).encode("utf-8")
        emit(writer.create_warc_record(
            "", "warcinfo", payload=BytesIO(info), length=len(info),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Record-ID": warcinfo_id, "WARC-Date": warc_date(start),
                               "WARC-Filename": name},
        ))
        for n, page in enumerate(pages, start=1):
            when = start + timedelta(seconds=7 * n)
            parts = urlsplit(page.url)
            path_qs = parts.path + (f"?{parts.query}" if parts.query else "")
            common = {"WARC-Date": warc_date(when), "WARC-Warcinfo-ID": warcinfo_id}
            req_id = record_id(name, n, page.url, "request")
            resp_id = record_id(name, n, page.url, "response")

            req_headers = StatusAndHeaders(f"GET {path_qs} HTTP/1.1", [
                ("Host", parts.netloc),
                ("User-Agent", USER_AGENT),
                ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                ("Accept-Language", "en-US,en;q=0.5"),
                ("Connection", "close"),
            ], is_http_request=True)
            emit(writer.create_warc_record(
                page.url, "request", payload=BytesIO(b""), length=0, http_headers=req_headers,
                warc_headers_dict={**common, "WARC-Record-ID": req_id, "WARC-Concurrent-To": resp_id},
            ))

            status, ctype, body, extra = response_of(page)
            resp_headers = StatusAndHeaders(status, [
                ("Date", format_datetime(when, usegmt=True)),
                ("Server", "nginx"),
                ("Content-Type", ctype),
                ("Content-Length", str(len(body))),
                ("Last-Modified", LAST_MODIFIED),
                *extra,
                ("Cache-Control", "max-age=600"),
                ("Connection", "close"),
            ], protocol="HTTP/1.1")
            emit(writer.create_warc_record(
                page.url, "response", payload=BytesIO(body), length=len(body), http_headers=resp_headers,
                warc_headers_dict={
                    **common, "WARC-Record-ID": resp_id, "WARC-Concurrent-To": req_id,
                    "WARC-IP-Address": f"192.0.2.{10 + n}",  # TEST-NET-1, documentation range
                    "WARC-Identified-Payload-Type": ctype.split(";")[0],
                },
            ))

            meta = f"fetchTimeMs: {60 + (n * 37) % 400}\r\n".encode("ascii")
            emit(writer.create_warc_record(
                page.url, "metadata", payload=BytesIO(meta), length=len(meta),
                warc_content_type="application/warc-fields",
                warc_headers_dict={**common, "WARC-Record-ID": record_id(name, n, page.url, "metadata"),
                                   "WARC-Refers-To": resp_id},
            ))
    return counts


# --------------------------------------------------------------------------
# notes.jsonl
# --------------------------------------------------------------------------

NOTES: tuple[tuple[str, str, str, str], ...] = (  # (id, lang, title, text)
    ("note-001", "en", "On keeping a paper notebook",
     "I have tried every note-taking app that promised to organise my life, and I keep coming "
     "back to a cheap paper notebook. The reason is not nostalgia. A notebook cannot notify me, "
     "cannot sync badly, and never asks me to choose a folder before I have finished a thought. "
     "When I write by hand I also write less, which forces me to decide what actually matters. "
     "Once a month I flip back through the pages and copy the few ideas that survived into "
     "something more permanent. Most of what I wrote does not survive, and that is the point."),
    ("note-002", "en", "Allotment diary, early March",
     "Cold, bright morning. Turned over the two beds nearest the shed and found the soil still "
     "wet underneath. Broad beans sown in November are about ten centimetres tall and look "
     "healthy; the garlic is further along than expected. Netted the brassicas again after the "
     "pigeons got in last week. Need to buy more canes, mend the water butt lid, and ask the "
     "committee about the blocked drain by the gate. Rhubarb is showing red knuckles. Left at "
     "noon when the rain started."),
    ("note-003", "de", "Gedanken beim Pendeln",
     "Jeden Morgen dieselben vierzig Minuten im Zug, und trotzdem ist keine Fahrt wie die "
     "andere. Manchmal lese ich, manchmal schaue ich nur aus dem Fenster und sehe zu, wie die "
     "Felder hinter den Vororten langsam hell werden. Früher habe ich diese Zeit als verloren "
     "betrachtet. Inzwischen ist sie mir fast heilig: Niemand erwartet in dieser Stunde etwas "
     "von mir, und oft kommen mir gerade dann die besten Ideen. Wenn der Zug Verspätung hat, "
     "ärgere ich mich trotzdem."),
    ("note-004", "fr", "Éloge de la lenteur",
     "On nous répète qu'il faut aller vite : répondre aux messages dans l'heure, lire en "
     "diagonale, décider sans attendre. Pourtant, les choses qui comptent le plus dans ma vie "
     "sont venues lentement. Une amitié qui a mis des années à s'installer, un métier appris "
     "par erreurs successives, un jardin qui ne ressemble à quelque chose qu'après trois "
     "saisons. La lenteur n'est pas de la paresse ; c'est une forme d'attention. J'essaie, sans "
     "toujours y parvenir, de lui laisser un peu de place chaque jour."),
    ("note-005", "es", "Huerto urbano en el balcón (copia)", "\n".join(ES_HUERTO)),
    ("note-006", "es", "Aprender a nadar de adulto",
     "Aprendí a nadar con cuarenta y dos años, en una piscina municipal, rodeado de niños que me "
     "miraban con curiosidad. Las primeras semanas fueron humillantes: tragaba agua, me cansaba "
     "a mitad de largo y no entendía cómo respirar sin perder el ritmo. El monitor me dijo algo "
     "que no he olvidado: «El agua no es tu enemiga, solo tienes que dejar de pelearte con "
     "ella». Hoy hago mil metros dos veces por semana. No soy rápido, pero ya no tengo miedo."),
    ("note-007", "ru", "Первый снег",
     "Сегодня ночью выпал первый снег. Утром двор было не узнать: машины стали похожи на "
     "сугробы, а на детской площадке уже кто-то успел слепить кривого снеговика. Снег "
     "продержится, наверное, до обеда, а потом превратится в слякоть, как это всегда бывает в "
     "ноябре. Но пока он лежит, город кажется тише и чище, и даже дорога на работу выглядит "
     "почти праздничной."),
    ("note-008", "zh-Hans", "读书笔记：慢慢读",
     "以前读书总想着读得越多越好，一年定下几十本的目标，读完一本就急着开始下一本。后来发现，很多书"
     "读过以后什么也没记住。现在我换了一种方法：每天只读二三十页，遇到喜欢的段落就抄在本子上，读完"
     "一章再合上书想一想作者到底想说什么。一年下来读的书少了，收获反而多了。"),
    ("note-009", "zh-Hant", "整理書架",
     "週末花了一整個下午整理書架。有些書已經好幾年沒有翻開，封面都褪色了；有些書則是買回來以後"
     "一直沒讀。最後我把三十多本書裝進紙箱，準備捐給社區的圖書室。書架空出一層以後，房間好像也"
     "明亮了一些。留下來的書，每一本都是真的想再讀一次的。"),
    ("note-010", "ja", "朝の散歩",
     "最近、出勤前に三十分ほど近所を散歩するようにしている。まだ人の少ない商店街を抜けて、川沿いの"
     "遊歩道を一周して帰ってくるだけだが、季節の移り変わりがよくわかる。先週は桜のつぼみが膨らみ"
     "始めていた。歩いているうちに頭の中が整理されて、その日にやるべきことが自然と見えてくるのも"
     "不思議だ。"),
    ("note-011", "ar", "عن الكتابة اليومية",
     "بدأت منذ عام أكتب صفحة واحدة كل صباح قبل أن أفتح هاتفي. لا أكتب شيئاً مهماً في الغالب: ما "
     "حلمت به، أو ما يقلقني، أو قائمة بما أريد إنجازه. لكنني لاحظت أن هذه الدقائق القليلة تجعل "
     "يومي أكثر هدوءاً ووضوحاً. الكتابة لا تحل المشكلات، لكنها تساعدني على رؤيتها بحجمها الحقيقي."),
    ("note-012", "hi", "सुबह की सैर",
     "पिछले कुछ महीनों से मैं रोज़ सुबह पार्क में टहलने जाता हूँ। शुरुआत में आलस आता था, लेकिन अब "
     "यह आदत बन गई है। सुबह की ठंडी हवा, पेड़ों पर चहचहाती चिड़ियाँ और योग करते बुज़ुर्गों को देखकर "
     "मन शांत हो जाता है। आधे घंटे की यह सैर पूरे दिन के लिए ऊर्जा दे जाती है।"),
    ("note-013", "th", "ฝนแรกของปี",
     "เมื่อวานฝนตกหนักเป็นครั้งแรกของปี หลังจากอากาศร้อนอบอ้าวมาหลายสัปดาห์ กลิ่นดินหลังฝนทำให้"
     "นึกถึงบ้านต่างจังหวัดสมัยเด็ก ตอนนั้นพวกเราจะวิ่งออกไปเล่นน้ำฝนกันทั้งซอย โดยไม่สนใจเสียงเรียก"
     "ของผู้ใหญ่ ปีนี้ได้แต่ยืนดูฝนจากหน้าต่างห้องทำงาน แต่ก็รู้สึกสดชื่นขึ้นมาไม่น้อย"),
    ("note-014", "ko", "작은 습관에 대하여",
     "새해마다 거창한 계획을 세웠다가 한 달도 못 가서 포기하곤 했다. 올해는 방법을 바꿔 아주 작은 "
     "습관 하나만 정했다. 매일 밤 자기 전에 책을 딱 두 쪽만 읽는 것이다. 두 쪽은 너무 쉬워서 빼먹을 "
     "핑계가 없다. 그런데 신기하게도 두 쪽을 읽다 보면 열 쪽, 스무 쪽을 읽게 되는 날이 많았다. "
     "작게 시작하는 것이 오래가는 비결인 것 같다."),
    ("note-015", "it", "Appunti sul pane fatto in casa",
     "Ho ricominciato a fare il pane in casa durante l'inverno. All'inizio le pagnotte uscivano "
     "basse e dure, ma con un po' di pazienza ho capito che il segreto è lasciare lievitare "
     "l'impasto più a lungo, in un posto tiepido e lontano dalle correnti d'aria. Adesso sforno "
     "una pagnotta ogni sabato mattina e il profumo riempie tutta la casa. I vicini hanno "
     "cominciato a passare per caso proprio a quell'ora."),
    ("note-016", "pt", "Dias de chuva",
     "Há quem não goste de dias de chuva, mas eu aprendi a apreciá-los. A cidade fica mais "
     "silenciosa, as pessoas andam devagar debaixo dos guarda-chuvas e os cafés enchem-se de "
     "conversas. Aproveito para arrumar gavetas, responder a cartas antigas e ler aquele livro "
     "que ficou esquecido na mesa de cabeceira. Quando o sol volta, sinto quase saudades."),
    ("note-017", "", "Untitled draft", ""),
    ("note-018", "en", "Volunteer rota, week 14",
     "Monday: Priya and Tom open the hall at 9.\n"
     "Tuesday: no session (boiler inspection).\n"
     "Wednesday: Sam on the tea urn; Aled collects the bread donation.\n"
     "Thursday: Jo leads the repair café; bring spare fuses.\n"
     "Friday: deep clean, all hands, finish by 4.\n"
     "Reminder: the key is back in the usual place, not under the mat."),
    ("note-019", "vi", "Cà phê buổi sáng",
     "Mỗi sáng trước khi đi làm, tôi thường ghé quán cà phê nhỏ ở đầu hẻm. Quán chỉ có vài chiếc "
     "ghế nhựa thấp, nhưng lúc nào cũng đông khách. Bà chủ pha cà phê phin rất chậm, từng giọt "
     "rơi xuống ly sữa đặc. Ngồi đó mười lăm phút, nhìn dòng xe máy chạy qua, tôi thấy một ngày "
     "mới bắt đầu thật bình yên."),
    ("note-020", "en+zh-Hans", "Weekend shopping list",
     "Weekend shopping list / 周末购物清单:\n"
     "- rice 大米 5kg\n"
     "- soy sauce 生抽 (the light one, not 老抽)\n"
     "- tofu 豆腐 x2\n"
     "- green onions 葱\n"
     "- eggs 鸡蛋, a dozen\n"
     "- dumpling wrappers 饺子皮, ask if they have the thin ones\n"
     "Remember to bring the cloth bags this time!"),
)

NOTE_DEFECTS = {
    "note-005": ("exact duplicate of the main text of es-huerto (paragraphs joined by \\n)", "exact-huerto"),
    "note-017": ("empty text", ""),
    "note-020": ("code-switching: English and Simplified Chinese", ""),
}


def write_notes(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for note_id, _lang, title, text in NOTES:
            fh.write(json.dumps({"id": note_id, "text": text, "title": title}, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------
# code/: the sample repository
# --------------------------------------------------------------------------

CODE_FILES: dict[str, str] = {
    "LICENSE": """MIT License

Copyright (c) 2024 Wren Halloway and the tidekit contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
""",
    "README.md": """# tidekit

Small tools for reading tide tables and drawing tide curves.

```
tidekit next-low tables/harbour.csv
```

This is a fictional sample repository bundled with polycorpus as test input.
""",
    "pyproject.toml": """[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "tidekit"
version = "0.3.1"
description = "Small tools for reading tide tables"
readme = "README.md"
license = { text = "MIT" }
requires-python = ">=3.9"
authors = [{ name = "Wren Halloway", email = "wren@example.com" }]

[project.scripts]
tidekit = "tidekit.cli:main"
""",
    "tidekit/__init__.py": r'''"""tidekit: read tide tables and answer simple questions about them."""

from tidekit.tables import TideEvent, next_low_water, read_table

__all__ = ["TideEvent", "next_low_water", "read_table"]
__version__ = "0.3.1"
''',
    "tidekit/tables.py": r'''"""Read tide tables published as CSV and answer simple questions about them.

The parser is deliberately forgiving: harbour offices publish tables with
slightly different column names, and a walker checking tomorrow's low water
should not be stopped by a header typo.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

# Column names seen in the wild, mapped to our canonical names.
_ALIASES = {
    "time": "time",
    "datetime": "time",
    "height": "height_m",
    "height (m)": "height_m",
    "type": "kind",
    "hw/lw": "kind",
}


@dataclass(frozen=True)
class TideEvent:
    """One high or low water."""

    time: dt.datetime
    height_m: float
    kind: str  # "high" or "low"

    @property
    def is_low(self) -> bool:
        return self.kind == "low"


def _normalise_header(name: str) -> str:
    key = name.strip().lower()
    return _ALIASES.get(key, key)


def read_table(path: Path | str, tz: dt.tzinfo = dt.timezone.utc) -> list[TideEvent]:
    """Parse a tide table CSV into events sorted by time.

    Times without an offset are interpreted in ``tz``. Many publishers print
    standard time all year round, so pass the standard-time zone here rather
    than the local civil time zone.
    """
    events: list[TideEvent] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        reader.fieldnames = [_normalise_header(n) for n in reader.fieldnames or []]
        for row in reader:
            when = dt.datetime.fromisoformat(row["time"])
            if when.tzinfo is None:
                when = when.replace(tzinfo=tz)
            kind = row.get("kind", "").strip().lower()
            kind = {"hw": "high", "lw": "low"}.get(kind, kind)
            events.append(TideEvent(when, float(row["height_m"]), kind))
    # events.sort(key=lambda e: (e.time, e.kind))  # old order, broke ties badly
    events.sort(key=lambda e: e.time)
    return events


def next_low_water(events: Iterable[TideEvent], after: dt.datetime) -> TideEvent | None:
    """Return the first low water strictly after ``after``, or None."""
    for event in events:
        if event.is_low and event.time > after:
            return event
    return None


def safe_window(events: list[TideEvent], low: TideEvent, margin: dt.timedelta = dt.timedelta(hours=2)) -> tuple[dt.datetime, dt.datetime]:  # noqa: E501
    """Return the window around ``low`` that we consider safe for walking.

    The window is symmetric and deliberately conservative: the flood usually
    runs fastest in the middle hours, so we stop well before the turn.
    """
    if low not in events:
        raise ValueError("low water must come from the same table")
    return low.time - margin, low.time + margin


def daily_range(events: Iterable[TideEvent]) -> Iterator[tuple[dt.date, float]]:
    """Yield (date, range in metres) for each day that has at least two events."""
    by_day: dict[dt.date, list[float]] = {}
    for event in events:
        by_day.setdefault(event.time.date(), []).append(event.height_m)
    for day in sorted(by_day):
        heights = by_day[day]
        if len(heights) >= 2:
            yield day, round(max(heights) - min(heights), 2)


# def spring_tides(events):
#     """Not finished: needs the moon phase table."""
#     raise NotImplementedError
''',
    "tidekit/cli.py": r'''#!/usr/bin/env python3
# Copyright (c) 2024 Wren Halloway and the tidekit contributors
# SPDX-License-Identifier: MIT
#
# This file is part of tidekit. See the LICENSE file at the root of the
# repository for the full license text.
"""Command-line entry point: ``tidekit next-low TABLE.csv``."""

import argparse
import datetime as dt
import sys

from tidekit.tables import next_low_water, read_table


def main(argv=None) -> int:
    """Print the next low water after now (or after ``--after``)."""
    parser = argparse.ArgumentParser(prog="tidekit")
    sub = parser.add_subparsers(dest="command", required=True)
    low = sub.add_parser("next-low", help="show the next low water")
    low.add_argument("table", help="tide table in CSV format")
    low.add_argument("--after", help="ISO time, default: now (UTC)")
    args = parser.parse_args(argv)

    after = dt.datetime.fromisoformat(args.after) if args.after else dt.datetime.now(dt.timezone.utc)
    event = next_low_water(read_table(args.table), after)
    if event is None:
        print("no low water in this table after", after.isoformat(), file=sys.stderr)
        return 1
    print(f"{event.time:%Y-%m-%d %H:%M} {event.height_m:.2f} m")
    # print(event)  # debugging
    return 0


if __name__ == "__main__":
    sys.exit(main())
''',
    "tidekit/harmonics.py": r'''"""潮汐调和预报的简化实现。

只用几个主要分潮估算潮高，适合画示意曲线，不能用于航海。
"""

import math
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Constituent:
    """一个分潮：名称、角速度（度/小时）、振幅（米）和迟角（度）。"""

    name: str
    speed_deg_per_hour: float
    amplitude_m: float
    phase_deg: float


# 主要分潮的角速度，单位：度/小时。
# M2 是主太阴半日分潮，S2 是主太阳半日分潮，K1 和 O1 是全日分潮。
SPEEDS = {
    "M2": 28.9841042,
    "S2": 30.0,
    "N2": 28.4397295,
    "K1": 15.0410686,
    "O1": 13.9430356,
}


def predict_height(constituents: Iterable[Constituent], hours: float, mean_level_m: float = 0.0) -> float:
    """计算某一时刻的潮高（米）。

    把每个分潮的余弦项相加，再加上平均海面。这里忽略了交点因子，
    所以误差可能有十几厘米。
    """
    height = mean_level_m
    for c in constituents:
        # 先把角度换算成弧度
        angle = math.radians(c.speed_deg_per_hour * hours - c.phase_deg)
        height += c.amplitude_m * math.cos(angle)
    return height


# TODO: 加入交点因子 f 和 u 的修正
# def nodal_correction(year):
#     pass
''',
    "web/package.json": """{
  "name": "tidekit-chart",
  "version": "0.3.1",
  "description": "Canvas tide curve for the tidekit harbour kiosk",
  "main": "src/chart.js",
  "license": "MIT",
  "author": "Wren Halloway <wren@example.com>",
  "private": true,
  "scripts": {
    "test": "node --test"
  }
}
""",
    "web/src/chart.js": r"""/**
 * Draw a tide curve on a <canvas>.
 *
 * Kept dependency-free on purpose: the harbour office kiosk runs an old
 * browser and cannot load a charting library.
 */
'use strict';

// Pixels of padding around the plot area.
const PADDING = 24;

/**
 * Scale a list of heights to canvas coordinates.
 * @param {number[]} heights - tide heights in metres
 * @param {number} width - canvas width in pixels
 * @param {number} height - canvas height in pixels
 * @returns {{x: number, y: number}[]}
 */
function scalePoints(heights, width, height) {
  const min = Math.min(...heights);
  const max = Math.max(...heights);
  const span = max - min || 1; // avoid dividing by zero on a flat line
  return heights.map((h, i) => ({
    x: PADDING + (i * (width - 2 * PADDING)) / Math.max(heights.length - 1, 1),
    y: height - PADDING - ((h - min) / span) * (height - 2 * PADDING),
  }));
}

/* Draw the curve. The caller owns the canvas and clears it first if needed. */
function drawTideCurve(canvas, heights) {
  const ctx = canvas.getContext('2d');
  const points = scalePoints(heights, canvas.width, canvas.height);
  ctx.beginPath();
  points.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
  // ctx.setLineDash([4, 2]);  // dashed looked too much like a forecast
  ctx.strokeStyle = '#1f6f8b';
  ctx.lineWidth = 2;
  ctx.stroke();
  return points.length;
}

module.exports = { scalePoints, drawTideCurve };
""",
    "native/harmonic.c": r"""/*
 * harmonic.c - fast tide height evaluation for the tidekit kiosk.
 *
 * Copyright (c) 2024 Wren Halloway and the tidekit contributors
 * SPDX-License-Identifier: MIT
 */

#include <math.h>
#include <stddef.h>

#define DEG_TO_RAD (3.14159265358979323846 / 180.0)

/* One harmonic constituent; see tidekit/harmonics.py for the meaning. */
struct constituent {
    double speed_deg_per_hour;
    double amplitude_m;
    double phase_deg;
};

/*
 * Sum the cosine terms of all constituents at time t (hours since epoch).
 * The Python version is the reference; this one exists only because the
 * kiosk evaluates a whole week of points every minute.
 */
double tide_height(const struct constituent *c, size_t n, double t, double mean_level_m)
{
    double height = mean_level_m;
    for (size_t i = 0; i < n; i++) {
        height += c[i].amplitude_m * cos((c[i].speed_deg_per_hour * t - c[i].phase_deg) * DEG_TO_RAD);
    }
    /* printf("%f\n", height); */
    return height;
}

// Fill out[0..count) with heights every step_hours, starting at t0.
void tide_curve(const struct constituent *c, size_t n, double t0, double step_hours,
                double mean_level_m, double *out, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        out[k] = tide_height(c, n, t0 + step_hours * (double)k, mean_level_m);
    }
}
""",
}
EXECUTABLE = {"tidekit/cli.py"}


def write_code(root: Path) -> None:
    for rel, text in CODE_FILES.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        os.chmod(target, 0o755 if rel in EXECUTABLE else 0o644)


# --------------------------------------------------------------------------
# LABELS.tsv and main
# --------------------------------------------------------------------------

LABEL_COLUMNS = ("source", "key", "url", "status", "content_type", "lang", "encoding",
                 "declared_http", "declared_meta", "defect", "group")


def write_labels(path: Path, pages: list[Page]) -> None:
    """Ground truth for tests: one row per web response and per note."""
    rows = [LABEL_COLUMNS]
    for page in pages:
        status, ctype, _body, _extra = response_of(page)
        html = not page.body
        rows.append((
            f"crawl-{page.warc:02d}.warc.gz", page.slug, page.url, status.split()[0], ctype.split(";")[0],
            page.lang, page.encoding if html else "", (page.http_charset or "") if html else "",
            (page.meta_charset or "") if html else "", page.defect, page.group,
        ))
    for note_id, lang, _title, _text in NOTES:
        defect, group = NOTE_DEFECTS.get(note_id, ("", ""))
        rows.append(("notes.jsonl", note_id, "", "", "text/plain", lang, "utf-8", "", "", defect, group))
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write("\t".join(row) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    out: Path = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)

    # A gb2312-declared page only exercises the GBK fallback if it really needs GBK.
    if _encodable("喆", "gb2312") or not _encodable("喆", "gbk"):
        raise RuntimeError("the GBK page needs a character outside GB2312")

    pages = build_pages()
    mirror = next(p for p in pages if p.slug == "en-tides-mirror")
    source = next(p for p in pages if p.slug == "en-tides")
    if render_html(mirror) != render_html(source):
        raise RuntimeError("exact duplicates must be byte-identical")

    for warc in (0, 1):
        path = out / f"crawl-{warc:02d}.warc.gz"
        counts = write_warc(path, [p for p in pages if p.warc == warc], CRAWL_START + timedelta(days=warc))
        print(f"{path.name}: {dict(sorted(counts.items()))}, {path.stat().st_size} bytes")
    write_notes(out / "notes.jsonl")
    write_code(out / "code")
    write_labels(out / "LABELS.tsv", pages)
    print(f"notes.jsonl: {len(NOTES)} lines; code/: {len(CODE_FILES)} files; LABELS.tsv written")
    return 0


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
