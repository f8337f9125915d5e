"""Phrase banks of the sample data, in Spanish and English.

Every customer text is written for one *intent* (complaint, feedback, inquiry, other) and one *topic*; feedback
is praise or a suggestion according to its topic (``model.label_of``). The label a text was written for is what the
ground truth records: it is never derived from the classifier, whose agreement with it ``voc sample`` reports.
Agents' replies and customers' follow-ups are free text: the contact's type is decided by its first message only.

Placeholders (``{product}``, ``{city}``, ...) are filled from ``FILLERS``; fillers are neutral nouns and names that
do not change a text's intent.
"""

from __future__ import annotations

import random
import string
from datetime import datetime

LANGUAGES = ("es", "en")
INTENTS = ("complaint", "feedback", "inquiry", "other")

FILLERS: dict[str, dict[str, list[str]]] = {
    "es": {
        # "product" follows "mi"; "plan" is feminine, "device" masculine, so articles agree.
        "product": [
            "fibra 600 Mb",
            "fibra 1 Gb",
            "tarifa Móvil Ilimitada",
            "router WiFi 6",
            "decodificador de Alba TV",
            "línea fija",
            "tarifa Combo Familia",
        ],
        "plan": ["fibra 300 Mb", "fibra 600 Mb", "tarifa Móvil Ilimitada", "tarifa Combo Familia", "tarifa Solo Móvil"],
        "device": ["router WiFi 6", "decodificador de Alba TV", "repetidor WiFi", "teléfono Alba 5G"],
        "city": [
            "Madrid",
            "Barcelona",
            "Valencia",
            "Sevilla",
            "Zaragoza",
            "Málaga",
            "Bilbao",
            "Valladolid",
            "Alicante",
            "Murcia",
            "Granada",
            "Vigo",
        ],
        "amount": ["12,50 €", "29,90 €", "45 €", "60,00 €", "18,99 €", "7,20 €", "35,40 €"],
        "days": ["dos", "tres", "cuatro", "cinco", "seis", "diez"],
        "month": [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
        "name": ["María", "Javier", "Lucía", "Pablo", "Carmen", "Sergio", "Laura", "David", "Elena", "Raúl"],
    },
    "en": {
        "product": [
            "600 Mb fibre",
            "1 Gb fibre",
            "Unlimited Mobile plan",
            "WiFi 6 router",
            "Alba TV box",
            "landline",
            "Family Combo plan",
        ],
        "plan": ["300 Mb fibre", "600 Mb fibre", "Unlimited Mobile plan", "Family Combo plan", "Mobile Only plan"],
        "device": ["WiFi 6 router", "Alba TV box", "WiFi extender", "Alba 5G phone"],
        "city": [
            "Madrid",
            "Barcelona",
            "Valencia",
            "Seville",
            "Malaga",
            "Bilbao",
            "Alicante",
            "Marbella",
            "Palma",
            "Benidorm",
        ],
        "amount": ["€12.50", "€29.90", "€45", "€60.00", "€18.99", "€7.20", "€35.40"],
        "days": ["two", "three", "four", "five", "six", "ten"],
        "month": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "name": ["Emma", "Oliver", "Sophie", "James", "Charlotte", "Harry", "Amelia", "George", "Olivia", "Jack"],
    },
}

# (language, intent) -> [(topic, text)]: a customer's first message (email body core, chat, tweet, comment).
MESSAGES: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("es", "complaint"): [
        (
            "billing",
            "Me habéis cobrado {amount} de más en la factura de {month} y nadie me da una explicación. Quiero la devolución ya.",
        ),
        ("billing", "Presento una reclamación por un cobro indebido de {amount} en mi {product}."),
        ("billing", "Es inaceptable que me sigáis cobrando mi {product} después de haber pedido la baja."),
        (
            "billing",
            "Otra vez un cobro indebido en la factura de {month}. Estoy harto de llamar y que nadie lo arregle.",
        ),
        ("billing", "Quiero poner una queja: la factura de {month} trae {amount} que no reconozco."),
        ("outage", "Llevo {days} días sin servicio en {city} y nadie me dice nada. Es una vergüenza."),
        ("outage", "Mi {product} no funciona desde ayer por la tarde. ¿Cuándo lo vais a arreglar?"),
        ("outage", "Otra caída de la red en {city}. Teletrabajo y así es imposible."),
        ("outage", "Estoy harta: internet no funciona cada noche desde hace {days} días."),
        ("outage", "Servicio pésimo, sin servicio en {city} desde esta mañana."),
        ("delivery", "Pedí un {device} hace {days} días y sigue sin llegar. Servicio pésimo."),
        ("delivery", "Es inaceptable: me habéis cambiado la cita de instalación por tercera vez."),
        ("delivery", "Presento una reclamación porque el técnico no vino a la instalación y nadie avisó."),
        ("defect", "El {device} que me enviasteis no funciona. Quiero la devolución del importe."),
        ("defect", "El {device} se reinicia solo cada hora, es fatal. Quiero una solución."),
        ("defect", "Tercer {device} en {month} y tampoco funciona bien. Estoy harto, pongo un reclamo."),
        ("staff", "El trato de la persona que me atendió ayer fue pésimo. Quiero poner una queja."),
        ("staff", "Me colgaron el teléfono dos veces. Es una vergüenza cómo tratáis a los clientes."),
        ("staff", "Estoy indignado con la atención recibida en la tienda de {city}."),
        ("staff", "Estoy indignada: el comercial me prometió un precio y en la factura aparece otro."),
    ],
    ("en", "complaint"): [
        ("billing", "I have been overcharged {amount} on my {month} bill and nobody can explain why. I want a refund."),
        ("billing", "This is a formal complaint about a charge of {amount} for a {product} I never ordered."),
        ("billing", "Unacceptable: you keep billing me for the {product} after I cancelled it."),
        ("billing", "Fed up with calling about the same wrong charge on my bill every month."),
        ("outage", "My {product} has been not working for {days} days in {city}. Terrible."),
        ("outage", "Another outage in {city} tonight. I work from home and this is unacceptable."),
        ("outage", "No service in {city} since this morning and no update from you at all."),
        ("outage", "Worst internet provider ever, the connection drops every evening in {city}."),
        ("delivery", "I ordered the {device} {days} days ago and it still has not arrived. Terrible."),
        ("delivery", "The technician never showed up for the installation. Unacceptable."),
        ("defect", "The {device} you sent is not working out of the box. I want a refund."),
        ("defect", "The new {device} keeps restarting every hour. Fed up with it."),
        ("staff", "Disgusted with how I was treated by your agent on the phone yesterday."),
        ("staff", "I want to make a complaint about the staff at your {city} shop."),
    ],
    ("es", "feedback"): [
        ("praise", "Muchas gracias por la rápida instalación de mi {product}, todo perfecto."),
        ("praise", "Excelente atención en la tienda de {city}, me lo resolvieron todo en diez minutos."),
        ("praise", "Encantado con mi {product}, va mucho mejor que mi antigua compañía."),
        ("praise", "Encantada con el técnico que vino ayer, muy amable y profesional."),
        ("praise", "Gracias a {name}, que me ayudó por teléfono a configurar el {device}."),
        ("suggestion", "Una sugerencia: estaría bien poder pagar la factura desde la app con Bizum."),
        ("suggestion", "Sugiero que aviséis por SMS antes de las visitas del técnico."),
        ("suggestion", "Estaría bien tener atención por chat también los domingos por la tarde."),
    ],
    ("en", "feedback"): [
        ("praise", "Thank you for the quick installation of my {product}, everything works perfectly."),
        ("praise", "Excellent support from your team in {city} today."),
        ("praise", "Great service from the technician who came this morning, very professional."),
        ("praise", "Thanks to {name} for sorting out my {product} so fast."),
        ("suggestion", "Suggestion: it would be nice to see daily data usage in the app."),
        ("suggestion", "I suggest adding chat support on Sunday afternoons."),
    ],
    ("es", "inquiry"): [
        ("billing", "¿Podéis explicarme el importe de la factura de {month}? Veo un concepto que no entiendo."),
        ("billing", "Quería cambiar la cuenta bancaria donde se cargan los recibos. ¿Cómo lo hago?"),
        ("billing", "¿Cuándo se emite la factura de {month}? Necesito el PDF para la empresa."),
        ("billing", "¿Me podéis enviar un duplicado de la factura de {month} de mi {product}?"),
        ("product", "¿Qué diferencia hay entre la {plan} y la fibra 1 Gb? Estoy pensando en cambiar."),
        ("product", "¿La {plan} tiene permanencia? Me interesa contratarla."),
        ("product", "¿Tenéis cobertura de fibra en {city}? Me mudo el mes que viene."),
        ("product", "Quería información sobre la tarifa Combo Familia para cuatro líneas."),
        ("tech", "¿Cómo cambio la contraseña del WiFi del router?"),
        ("tech", "¿Se puede configurar el {device} en modo puente?"),
        ("tech", "¿Cómo activo el buzón de voz en mi línea?"),
        ("tech", "Me acabo de mudar a {city}, ¿cómo traslado mi {product} a la nueva dirección?"),
    ],
    ("en", "inquiry"): [
        ("billing", "Could you explain the amount on my {month} bill? There is an item I do not recognise."),
        ("billing", "How do I change the bank account for my direct debit?"),
        ("billing", "When is the {month} bill issued? I need the PDF for my company."),
        ("product", "Do you have fibre coverage in {city}? I am moving there next month."),
        ("product", "Is there a minimum contract for the {plan}?"),
        ("product", "What is the difference between the {plan} and the 1 Gb fibre?"),
        ("tech", "How do I change the WiFi password on the {device}?"),
        ("tech", "Can I use my mobile plan abroad without extra fees?"),
        ("tech", "I have just moved to {city}. How do I move my {product} to the new address?"),
    ],
    ("es", "other"): [
        ("misdirected", "Hola, busco el teléfono de la oficina de correos de {city}."),
        ("misdirected", "Perdón, creo que me he equivocado de empresa."),
        ("spam", "Ofrecemos servicios de posicionamiento web para su empresa a precios muy competitivos."),
    ],
    ("en", "other"): [
        ("misdirected", "Hi, is this the customer line of the bank in {city}?"),
        ("misdirected", "Sorry, wrong company."),
        ("spam", "We offer search engine optimisation services for your business at very competitive prices."),
    ],
}

# Email subjects by (language, topic): neutral on purpose (the body carries the tone).
SUBJECTS: dict[tuple[str, str], list[str]] = {
    ("es", "billing"): ["Factura de {month}", "Cargo en mi cuenta", "Consulta sobre mi factura", "Recibo de {month}"],
    ("es", "outage"): ["Conexión a internet", "Incidencia en {city}", "Mi {product}"],
    ("es", "delivery"): ["Pedido del {device}", "Cita de instalación", "Instalación en {city}"],
    ("es", "defect"): ["Mi {device}", "Equipo averiado", "Problema con el {device}"],
    ("es", "staff"): ["Atención recibida", "Visita a la tienda de {city}", "Llamada de ayer"],
    ("es", "praise"): ["Agradecimiento", "Instalación de mi {product}", "Atención recibida"],
    ("es", "suggestion"): ["Una idea", "Propuesta para la app", "Comentario"],
    ("es", "product"): ["Información sobre la {plan}", "Cobertura en {city}", "Consulta de tarifas"],
    ("es", "tech"): ["Configuración del {device}", "Ayuda técnica", "Consulta técnica"],
    ("es", "misdirected"): ["Consulta", "Información"],
    ("es", "spam"): ["Propuesta comercial", "Colaboración"],
    ("en", "billing"): ["{month} bill", "Charge on my account", "Question about my bill"],
    ("en", "outage"): ["Internet connection", "Problem in {city}", "My {product}"],
    ("en", "delivery"): ["{device} order", "Installation appointment"],
    ("en", "defect"): ["My {device}", "Faulty equipment"],
    ("en", "staff"): ["Your {city} shop", "Yesterday's call"],
    ("en", "praise"): ["Installation of my {product}", "Your support team"],
    ("en", "suggestion"): ["An idea", "App feedback"],
    ("en", "product"): ["{plan} information", "Coverage in {city}", "Plans"],
    ("en", "tech"): ["{device} setup", "Technical question"],
    ("en", "misdirected"): ["Question", "Information"],
    ("en", "spam"): ["Business proposal", "Partnership"],
}

# Email greetings and sign-offs of customers: neutral (no "gracias"/"thanks" that would read as praise).
EMAIL_OPENINGS = {
    "es": ["Hola,", "Buenos días,", "Buenas tardes,", "Hola, buenas,"],
    "en": ["Hello,", "Hi,", "Good morning,"],
}
EMAIL_CLOSINGS = {
    "es": ["Un saludo,", "Saludos,", "Atentamente,", "Un saludo cordial,"],
    "en": ["Regards,", "Best regards,", "Kind regards,"],
}

# Survey comments by (language, intended type), answering "why this score?"; "other" comments are neutral remarks.
SURVEY_COMMENTS: dict[tuple[str, str], list[str]] = {
    ("es", "complaint"): [
        "Pésimo servicio, sigo sin conexión.",
        "Me colgaron y nadie me devolvió la llamada, fatal.",
        "Tuve que llamar tres veces. Inaceptable.",
        "Sigue sin resolverse mi reclamación.",
        "La espera fue fatal, más de media hora.",
        "Sigo esperando la devolución.",
        "Tardaron mucho en contestar y no me lo solucionaron.",
    ],
    ("en", "complaint"): [
        "Terrible, still no connection.",
        "Unacceptable waiting time.",
        "Still waiting for my refund.",
    ],
    ("es", "praise"): [
        "Excelente atención, muy amable.",
        "Gracias, me lo solucionaron enseguida.",
        "Encantada con la atención.",
    ],
    ("en", "praise"): [
        "Excellent, very helpful agent.",
        "Thanks, sorted in minutes.",
    ],
    ("es", "suggestion"): [
        "Estaría bien no tener que esperar tanto al teléfono.",
        "Sugiero que enviéis el número de incidencia por SMS.",
    ],
    ("en", "suggestion"): [
        "It would be nice to get a text with the case number.",
        "I suggest a callback option instead of waiting on hold.",
    ],
    ("es", "other"): [
        "El técnico vino el jueves.",
        "Normal, sin más.",
        "Correcto.",
    ],
    ("en", "other"): ["It was ok.", "The agent answered my question.", "Average."],
}

# Web mentions by (language, intent): (topic, title, summary), written by bloggers and news sites.
WEB_ITEMS: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    ("es", "complaint"): [
        (
            "outage",
            "Caída de la fibra de Alba Connect en {city}",
            "Cientos de usuarios denuncian que la conexión no funciona desde primera hora de la mañana.",
        ),
        (
            "outage",
            "Usuarios de Alba Connect, sin servicio en {city}",
            "La operadora no ofrece todavía una hora estimada de reparación.",
        ),
        (
            "billing",
            "Clientes de Alba Connect denuncian cobros duplicados",
            "Varios lectores nos escriben indignados por un cobro indebido en la factura de {month}.",
        ),
        (
            "staff",
            "Mi experiencia con la atención al cliente de Alba Connect",
            "Tres llamadas, tres respuestas distintas y ninguna solución: un servicio pésimo.",
        ),
        (
            "delivery",
            "Retrasos en las instalaciones de Alba Connect",
            "Usuarios de {city} llevan semanas esperando al técnico, una situación inaceptable.",
        ),
    ],
    ("en", "complaint"): [
        (
            "outage",
            "Alba Connect outage hits {city}",
            "Customers report no service for several hours and the operator has not given an estimate.",
        ),
        (
            "billing",
            "Alba Connect customers overcharged after price change",
            "Readers say they were overcharged in {month} and are asking for a refund.",
        ),
        ("staff", "Why I left Alba Connect", "The worst customer support I have dealt with in years."),
    ],
    ("es", "feedback"): [
        (
            "praise",
            "Probamos la fibra 1 Gb de Alba Connect",
            "Velocidad excelente y una instalación rápida: nuestra valoración es muy positiva.",
        ),
        (
            "praise",
            "Alba Connect, bien valorada en {city}",
            "Los usuarios del foro destacan la excelente cobertura móvil en la zona.",
        ),
        (
            "suggestion",
            "Lo que le pediría a Alba Connect",
            "Estaría bien que la app mostrara el consumo de datos en tiempo real.",
        ),
    ],
    ("en", "feedback"): [
        ("praise", "Alba Connect 1 Gb fibre review", "Excellent speeds in our tests and a painless installation."),
        (
            "suggestion",
            "What Alba Connect could do better",
            "It would be nice to have a cheaper plan for single-line customers.",
        ),
    ],
    ("es", "other"): [
        (
            "product",
            "Alba Connect amplía su red de fibra en {city}",
            "La operadora anuncia nuevas zonas con cobertura de fibra hasta 1 Gb.",
        ),
        (
            "product",
            "Alba Connect presenta la tarifa Combo Familia",
            "El nuevo paquete incluye fibra, cuatro líneas móviles y televisión.",
        ),
        (
            "product",
            "Comparativa de tarifas de fibra de {month}",
            "Analizamos las ofertas de los principales operadores, incluida Alba Connect.",
        ),
        ("product", "Alba Connect abre una tienda en {city}", "La nueva tienda abrirá de lunes a sábado."),
    ],
    ("en", "other"): [
        (
            "product",
            "Alba Connect expands 5G coverage to {city}",
            "The operator says the rollout will be complete by the end of {month}.",
        ),
        (
            "product",
            "Spanish fibre prices compared",
            "We looked at the offers of the main operators, Alba Connect included.",
        ),
    ],
}

# Follow-ups a customer sends in an existing conversation (not contacts of their own).
FOLLOW_UPS_BEFORE_REPLY = {
    "es": ["¿Alguna novedad sobre lo que os escribí?", "Sigo esperando respuesta.", "¿Hay alguien ahí?"],
    "en": ["Any news on this?", "Still waiting for an answer.", "Is anyone reading this?"],
}
FOLLOW_UPS_AFTER_REPLY = {
    "es": [
        "Gracias, ya está resuelto.",
        "Sigue igual, no se ha solucionado.",
        "Vale, quedo a la espera.",
        "Gracias por la respuesta.",
    ],
    "en": [
        "Thanks, it is sorted now.",
        "Still the same, nothing has changed.",
        "Ok, I will wait.",
        "Thanks for the reply.",
    ],
}

# The organisation's replies, by language and by what the agent makes of the contact.
AGENT_REPLIES = {
    "es": {
        "complaint": [
            "Hola {name}, sentimos mucho las molestias. Hemos revisado tu caso y te llamaremos hoy mismo.",
            "Hola {name}, lamentamos lo ocurrido. Hemos abierto una incidencia y te mantendremos informado.",
            "Hola {name}, ya hemos corregido el importe y lo verás en la próxima factura.",
        ],
        "inquiry": [
            "Hola {name}, te respondemos sobre tu consulta: te enviamos los pasos en este mensaje.",
            "Hola {name}, te adjuntamos la información que nos pedías.",
        ],
        "feedback": ["Hola {name}, nos alegra mucho leerte. Trasladamos tu comentario al equipo."],
        "other": ["Hola {name}, este es el servicio de atención al cliente de Alba Connect."],
    },
    "en": {
        "complaint": [
            "Hi {name}, we are very sorry for the trouble. We have checked your case and will call you today.",
            "Hi {name}, we have opened a ticket with the technical team and will keep you posted.",
            "Hi {name}, we have corrected the amount and you will see it on your next bill.",
        ],
        "inquiry": ["Hi {name}, here are the steps you asked about.", "Hi {name}, please find the details below."],
        "feedback": ["Hi {name}, great to hear from you. We have passed your comment on to the team."],
        "other": ["Hi {name}, this is the Alba Connect customer care service."],
    },
}
SOCIAL_REPLIES = {
    "es": {
        "complaint": [
            "Hola, lamentamos las molestias. ¿Nos escribes por mensaje privado con tu número de cliente?",
            "Hola, ya lo estamos revisando. Te escribimos por privado.",
        ],
        "inquiry": [
            "Hola, te hemos enviado la información por mensaje privado.",
            "Hola, puedes consultarlo en albaconnect.example/ayuda o escribirnos por privado.",
        ],
        "feedback": ["Hola, nos alegra leerte. ¡Un saludo del equipo!"],
    },
    "en": {
        "complaint": [
            "Hi, sorry about this. Could you send us a DM with your customer number?",
            "Hi, we are looking into it. We have sent you a DM.",
        ],
        "inquiry": ["Hi, we have sent you the details by DM.", "Hi, you can find it at albaconnect.example/help."],
        "feedback": ["Hi, great to hear from you. Best wishes from the team!"],
    },
}
EMAIL_SIGNATURE = {"es": "Equipo de Atención al Cliente\nAlba Connect", "en": "Customer Care Team\nAlba Connect"}

CHAT_GREETING = {"es": "¡Hola! ¿En qué podemos ayudarte?", "en": "Hi! How can we help you?"}
CHAT_NO_AGENT = {
    "es": "Ahora mismo no hay agentes disponibles. Te responderemos por email lo antes posible.",
    "en": "No agents are available right now. We will get back to you by email as soon as possible.",
}
CHAT_CLOSINGS = {
    "es": ["Gracias, eso era todo.", "Vale, gracias.", "Perfecto."],
    "en": ["Thanks, that is all.", "Ok, thanks.", "Perfect."],
}

# Tweets that reply in somebody else's conversation and mention the brand (not contacts).
THIRD_PARTY_MENTIONS = {
    "es": [
        "A mí me pasa lo mismo con @AlbaConnect",
        "Pregunta a @AlbaConnect, a mí me lo solucionaron",
        "@AlbaConnect tiene buena cobertura por aquí",
    ],
    "en": ["Same for me with @AlbaConnect", "Ask @AlbaConnect, they sorted it for me"],
}

PAGE_POSTS = {
    "es": [
        "¡Nueva tarifa Combo Familia! Fibra, cuatro líneas y Alba TV en un solo recibo.",
        "Ya puedes consultar tu consumo de datos desde la app de Alba Connect.",
        "Llegamos a {city} con fibra de 1 Gb. ¡Comprueba tu cobertura!",
        "Este fin de semana haremos tareas de mantenimiento en la red de {city} de madrugada.",
        "¿Sabías que puedes cambiar la contraseña de tu WiFi desde la app?",
    ],
}
PAGE_SELF_COMMENTS = {
    "es": ["Más información en albaconnect.example/ofertas", "Podéis escribirnos por privado para cualquier duda."]
}
PROACTIVE_EMAILS = {
    "es": [
        (
            "Aviso de mantenimiento en {city}",
            "Te informamos de que la próxima madrugada haremos tareas de mantenimiento en la red de {city}.",
        )
    ],
    "en": [("Planned maintenance in {city}", "We will carry out planned maintenance on the network in {city} tonight.")],
}
PROACTIVE_REPLIES = {
    "es": ["¿A qué hora terminará el mantenimiento?", "¿Afecta también a la línea fija?"],
    "en": ["What time will the maintenance finish?", "Does it affect the landline too?"],
}


def fill(template: str, language: str, rng: random.Random, values: dict[str, str] | None = None) -> str:
    """The template with each placeholder filled from ``FILLERS``.

    ``values`` holds fillers already chosen for this contact (its subject and body agree); new choices are added.
    """
    chosen = values if values is not None else {}
    for _, name, _, _ in string.Formatter().parse(template):
        if name and name not in chosen:
            chosen[name] = rng.choice(FILLERS[language][name])
    return template.format(**chosen)


def fillers_at(rng: random.Random, language: str, local_time: datetime) -> dict[str, str]:
    """Fillers fixed by the contact's date: the month a customer talks about is this one or the previous one."""
    month = local_time.month - 1 if rng.random() < 0.6 else local_time.month - 2
    return {"month": FILLERS[language]["month"][month % 12]}


def message(
    rng: random.Random, language: str, intent: str, topic: str | None = None, values: dict[str, str] | None = None
) -> tuple[str, str]:
    """A customer's first message: (topic, text). ``topic`` restricts the choice when given."""
    bank = MESSAGES[(language, intent)]
    if topic is not None:
        bank = [entry for entry in bank if entry[0] == topic] or bank
    chosen_topic, template = rng.choice(bank)
    return chosen_topic, fill(template, language, rng, values)


def reply(rng: random.Random, bank: dict[str, dict[str, list[str]]], language: str, intent: str, **names: str) -> str:
    """The organisation's reply to a contact of ``intent`` (a generic one when the bank has none for it)."""
    replies = bank[language].get(intent) or bank[language]["inquiry"]
    return rng.choice(replies).format(**names)


def topics(language: str, intent: str) -> list[str]:
    """The topics a bank offers, in bank order, without repeats."""
    seen: list[str] = []
    for topic, _ in MESSAGES[(language, intent)]:
        if topic not in seen:
            seen.append(topic)
    return seen
