//! The visible-text split's own tests: whole bodies through `split`, one per client habit.

use super::*;

fn s(body: &str) -> Visible {
    split(body, &[])
}

fn check(body: &str, text: &str, signature: Option<&str>, quoted: Option<&str>) {
    let v = s(body);
    assert_eq!(v.text, text, "text of {body:?}");
    assert_eq!(v.signature.as_deref(), signature, "signature of {body:?}");
    assert_eq!(v.quoted.as_deref(), quoted, "quoted of {body:?}");
}

#[test]
fn plain_mail_is_all_text() {
    check(
        "Hello,\n\nmy printer is broken.\n\nThanks\nAnn\n",
        "Hello,\n\nmy printer is broken.\n\nThanks\nAnn",
        None,
        None,
    );
    check("", "", None, None);
}

#[test]
fn english_attribution() {
    check(
        "Thanks, works now.\n\nOn Mon, Jan 1, 2024 at 10:00 AM Support <support@x.com> wrote:\n> Try again.\n",
        "Thanks, works now.",
        None,
        Some("On Mon, Jan 1, 2024 at 10:00 AM Support <support@x.com> wrote:\n> Try again."),
    );
}

#[test]
fn wrapped_attribution() {
    let v = s("Yes.\n\nOn Mon, Jan 1, 2024 at 10:00 AM Support Team <\nsupport@x.com> wrote:\n\n> Try again.");
    assert_eq!(v.text, "Yes.");
    assert!(v.quoted.is_some_and(|q| q.starts_with("On Mon")));
    let v = s("Yes.\n\nOn 01/01/2024 10:00, Support Team\nwrote:\n> old");
    assert_eq!(v.text, "Yes.");
}

#[test]
fn prose_starting_with_on_is_not_a_quote() {
    let body = "Hi,\n\nOn Monday we deployed the new version.\nSince then the export fails.\nBob wrote: it is slow.\n";
    check(body, body.trim_end(), None, None);
    let body = "On Monday we deployed.\nThe team wrote:\nnothing.";
    assert_eq!(s(body).text, body);
}

#[test]
fn localized_attributions() {
    for header in [
        "Am 01.02.2024 um 10:00 schrieb Max Mustermann <max@example.de>:",
        "Le lun. 1 janv. 2024 à 10:00, Jean <jean@example.fr> a écrit :",
        "Le 1 janv. 2024 à 10:00, Jean <jean@example.fr> a\u{a0}écrit\u{a0}:",
        "El lun, 1 ene 2024 a las 10:00, Juan (<juan@example.es>) escribió:",
        "Il giorno lun 1 gen 2024 alle ore 10:00 Mario <mario@example.it> ha scritto:",
        "Op ma 1 jan. 2024 om 10:00 schreef Jan <jan@example.nl>:",
        "Op 1 jan. 2024, om 10:00 heeft Jan <jan@example.nl> het volgende geschreven:",
        "W dniu 1.01.2024 o 10:00, Jan <jan@example.pl> pisze:",
        "Em seg., 1 de jan. de 2024 às 10:00, João <joao@example.br> escreveu:",
        "1 янв. 2024 г., в 10:00, Иван <ivan@example.ru> написал(а):",
        "在 2024年1月1日 10:00，张三 <zhang@example.cn> 写道：",
    ] {
        let body = format!("New text.\n\n{header}\n> old text\n");
        let v = s(&body);
        assert_eq!(v.text, "New text.", "for {header}");
        assert_eq!(
            v.quoted.as_deref(),
            Some(format!("{header}\n> old text").as_str()),
            "for {header}"
        );
    }
}

#[test]
fn outlook_original_message() {
    check(
        "Please see below.\n\n-----Original Message-----\nFrom: A\nSent: Monday\nTo: B\nSubject: x\n\nold",
        "Please see below.",
        None,
        Some("-----Original Message-----\nFrom: A\nSent: Monday\nTo: B\nSubject: x\n\nold"),
    );
    assert_eq!(s("Ok\n-----Ursprüngliche Nachricht-----\nVon: A").text, "Ok");
}

#[test]
fn outlook_header_blocks() {
    for block in [
        "From: Support <support@x.com>\nSent: Monday, January 1, 2024 10:00 AM\nTo: Ann <ann@y.com>\nSubject: RE: Printer",
        "Von: Support <support@x.com>\nGesendet: Montag, 1. Januar 2024 10:00\nAn: Ann <ann@y.com>\nBetreff: AW: Drucker",
        "De : Support <support@x.com>\nEnvoyé : lundi 1 janvier 2024 10:00\nÀ : Ann <ann@y.com>\nObjet : RE: Imprimante",
        "De: Support <support@x.com>\nEnviado: lunes, 1 de enero de 2024 10:00\nPara: Ann <ann@y.com>\nAsunto: RE: Impresora",
        "*From:* Support <support@x.com>\n*Sent:* Monday\n*To:* Ann\n*Subject:* RE: Printer",
        "From: Support <support@x.com>\nDate: Monday\nTo: Ann <ann@y.com>,\n  Bob <bob@y.com>\nCc: C <c@y.com>\nSubject: RE: Printer",
    ] {
        let body = format!("Thanks!\n\n{block}\n\nold text");
        let v = s(&body);
        assert_eq!(v.text, "Thanks!", "for {block}");
        assert_eq!(v.quoted.as_deref(), Some(format!("{block}\n\nold text").as_str()));
    }
}

#[test]
fn underscore_separator() {
    check(
        "Done.\n\n________________________________\nFrom: Support <support@x.com>\nSent: Monday\nTo: Ann\nSubject: x\n\nold",
        "Done.",
        None,
        Some(
            "________________________________\nFrom: Support <support@x.com>\nSent: Monday\nTo: Ann\nSubject: x\n\nold",
        ),
    );
    check(
        "Done.\n________________________________\nFrom: Support <support@x.com>\nold",
        "Done.",
        None,
        Some("________________________________\nFrom: Support <support@x.com>\nold"),
    );
    // A rule line in the content is not a quote marker.
    check(
        "Table:\n________________\nrow",
        "Table:\n________________\nrow",
        None,
        None,
    );
}

#[test]
fn forwarded_messages() {
    // A one-line note above: the forwarded message is the request.
    let body = "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: X <x@y.com>\nDate: Mon\nSubject: s\nTo: <a@b.com>\n\nbody";
    check(body, body, None, None);
    // A real message above: the forward is history.
    check(
        "Hi team,\nthis customer wrote to me directly.\nCan you open a ticket?\n\n---------- Forwarded message ---------\nFrom: X <x@y.com>\n\nbody",
        "Hi team,\nthis customer wrote to me directly.\nCan you open a ticket?",
        None,
        Some("---------- Forwarded message ---------\nFrom: X <x@y.com>\n\nbody"),
    );
    let body = "See this\n\nBegin forwarded message:\n\nFrom: X\nold";
    check(body, body, None, None);
    // A bare forward keeps its content as the text.
    let body = "---------- Forwarded message ---------\nFrom: X <x@y.com>\n\nThe server is down.";
    check(body, body, None, None);
}

#[test]
fn trailing_quoted_run() {
    check(
        "Sure.\n\n> Can you?\n> Please.\n",
        "Sure.",
        None,
        Some("> Can you?\n> Please."),
    );
    // Interleaved answers stay.
    check("> Q1\nA1\n> Q2\nA2", "> Q1\nA1\n> Q2\nA2", None, None);
}

#[test]
fn bottom_posting() {
    check(
        "On Mon, Jan 1, 2024 at 10:00 AM Support <s@x.com> wrote:\n> Try again.\n\nIt works now.\n",
        "It works now.",
        None,
        Some("On Mon, Jan 1, 2024 at 10:00 AM Support <s@x.com> wrote:\n> Try again."),
    );
}

#[test]
fn signatures() {
    check("Hi\n\n-- \nAnn Smith\nACME", "Hi", Some("--\nAnn Smith\nACME"), None);
    check("Hi\n--\nAnn", "Hi", Some("--\nAnn"), None);
    check("Hi\n\nSent from my iPhone", "Hi", Some("Sent from my iPhone"), None);
    check(
        "Hi\n\nGet Outlook for Android",
        "Hi",
        Some("Get Outlook for Android"),
        None,
    );
    check(
        "Hallo\n\nVon meinem iPhone gesendet",
        "Hallo",
        Some("Von meinem iPhone gesendet"),
        None,
    );
    check(
        "Salut\n\nEnvoyé de mon iPhone",
        "Salut",
        Some("Envoyé de mon iPhone"),
        None,
    );
    check(
        "Hola\n\nEnviado desde mi iPhone",
        "Hola",
        Some("Enviado desde mi iPhone"),
        None,
    );
    check(
        "Works.\n\nSent from my iPhone\n\nOn 1 Jan 2024, at 10:00, S <s@x.com> wrote:\n\n> old",
        "Works.",
        Some("Sent from my iPhone"),
        Some("On 1 Jan 2024, at 10:00, S <s@x.com> wrote:\n\n> old"),
    );
    check("Reply\n\n> old\n\n-- \nsig", "Reply", Some("--\nsig"), Some("> old"));
    // Not signatures.
    check("a -- b\n---\nc", "a -- b\n---\nc", None, None);
    let long = format!("Hi\n--\n{}", "line\n".repeat(30));
    assert_eq!(s(&long).signature, None);
    check(
        "I sent from my phone yesterday.\nMore text.\nMore.\nMore.\nMore.",
        "I sent from my phone yesterday.\nMore text.\nMore.\nMore.\nMore.",
        None,
        None,
    );
}

#[test]
fn footers() {
    check(
        "Please help.\n\nAnn\n\n______________\nThis e-mail is confidential. If you are not the intended recipient, delete it.\n______________",
        "Please help.\n\nAnn",
        Some(
            "______________\nThis e-mail is confidential. If you are not the intended recipient, delete it.\n______________",
        ),
        None,
    );
    check(
        "Tip: use plus addresses.\n\nErik\n_______________________________________________\nusers mailing list\nusers@lists.example.org\nhttps://lists.example.org/mailman/listinfo/users",
        "Tip: use plus addresses.\n\nErik",
        Some(
            "_______________________________________________\nusers mailing list\nusers@lists.example.org\nhttps://lists.example.org/mailman/listinfo/users",
        ),
        None,
    );
    // One mention of "confidential" in prose is not a disclaimer.
    let body = "Hi,\n\nplease keep the attached price list confidential.\n\nThanks";
    check(body, body, None, None);
}

#[test]
fn bounce_copies() {
    let v = s(
        "Delivery failed.\n\n------ This is a copy of the message, including all the headers. ------\nReturn-Path: <a@b>\n",
    );
    assert_eq!(v.text, "Delivery failed.");
    let v = s("Sorry.\n\n--- Below this line is a copy of the message.\n\nReturn-Path: <a@b>");
    assert_eq!(v.text, "Sorry.");
}

#[test]
fn excluded_text_is_removed() {
    let disclaimer = "This e-mail is confidential. If you are not the intended recipient, delete it.".to_string();
    let body = "Please help.\n\nThis e-mail is confidential. If you are not\nthe intended recipient, delete it.\n\nOn Mon, 1 Jan 2024 X <x@y.z> wrote:\n> a";
    let v = split(body, std::slice::from_ref(&disclaimer));
    assert_eq!(v.text, "Please help.");
    let v = split(
        "-- \nAnn\nTHIS E-MAIL IS CONFIDENTIAL. If you are not the intended recipient, delete it.",
        &[disclaimer],
    );
    assert_eq!(v.text, "");
    assert_eq!(v.signature.as_deref(), Some("--\nAnn"));
    assert_eq!(split("abc", &["".to_string(), "  ".to_string()]).text, "abc");
}

#[test]
fn attributions_of_more_clients() {
    for header in [
        "Den 4 juni 2024 kl. 10:12 skrev Anna Berg <anna@example.se>:",
        "tir. 4. jun. 2024 kl. 10:12 skrev Ola Nordmann <ola@example.no>:",
        "вт, 4 черв. 2024 р. о 10:12 Олена Коваль <olena@example.ua> пише:",
        "Понедельник, 3 июня 2024, 10:00 +03:00 от Анна Петрова <anna@example.ru>:",
        "26.06.2014, 14:41, \"Иван Сидоров\" <ivan@example.ru>:",
        "2016-03-03 17:21 GMT+01:00 Jan Novak <jan@example.cz>:",
        "Am Mo., 3. Juni 2024 um 10:00 Uhr schrieb Max Weber <max@example.de>:",
    ] {
        let v = s(&format!("Danke.\n\n{header}\n> alt\n"));
        assert_eq!(v.text, "Danke.", "{header}");
        assert!(v.quoted.is_some_and(|q| q.starts_with(header)), "{header}");
    }
}

#[test]
fn attribution_wrapped_over_three_lines() {
    let v = s(
        "Done.\n\nOn Tue, 4 Jun 2024 at 10:12, Customer Support Team of Example\nCompany <support@example.com>\nwrote:\n> old",
    );
    assert_eq!(v.text, "Done.");
    let v = s("Klar.\n\n2016-03-03 17:21 GMT+01:00 Jan Novak <\njan@example.cz>:\n\n> old");
    assert_eq!(v.text, "Klar.");
}

#[test]
fn lines_that_only_mention_writing_are_not_quotes() {
    for body in [
        "Hi,\n\nmy colleague wrote: the export is broken.\nPlease check.",
        "Hi,\n\nAs Ann wrote:\nthe export is broken since 10:00.",
        "Hi,\n\nPlease write to Ann <ann@example.com>:\nshe knows.",
        "Hello\n\n-----\nStep 1\n-----\nStep 2",
        "Steps:\n- open the app\n- tap Export\n   - choose CSV\n- wait",
    ] {
        check(body, body, None, None);
    }
}

#[test]
fn original_message_in_bold_markers() {
    check(
        "Thanks!\n\n*-------- Original Message --------*\nSubject: x\n\nold",
        "Thanks!",
        None,
        Some("*-------- Original Message --------*\nSubject: x\n\nold"),
    );
}

#[test]
fn header_blocks_in_more_languages() {
    for block in [
        "Från: Support <s@x.com>\nSkickat: den 3 juni 2024 10:00\nTill: Anna\nÄmne: Skrivare",
        "Fra: Support <s@x.com>\nSendt: 3. juni 2024 10:00\nTil: Ola\nEmne: Printer",
        "Od: Support <s@x.com>\nOdesláno: 3. června 2024 10:00\nKomu: Jan\nPředmět: Tiskárna",
        "Kimden: Support <s@x.com>\nGönderildi: 3 Haziran 2024 10:00\nKime: Ayşe\nKonu: Yazıcı",
        "差出人: Support <s@x.com>\n送信日時: 2024年6月3日 10:00\n宛先: 田中\n件名: プリンター",
        "Від: Support <s@x.com>\nНадіслано: 3 червня 2024 р. 10:00\nКому: Олена\nТема: Принтер",
        "*From:* Support <s@x.com>\n*Sent:* Monday\n*To:* Ann\n*Subject:* Printer",
    ] {
        check(
            &format!("Ok.\n\n{block}\n\nold"),
            "Ok.",
            None,
            Some(&format!("{block}\n\nold")),
        );
    }
}

#[test]
fn rule_above_a_short_header_block() {
    // Outlook's HTML `<hr>` rendered as a rule, with only From and Sent.
    check(
        "Fine.\n\n──────────\nFrom: Support <s@x.com>\nSent: Monday\n\nold",
        "Fine.",
        None,
        Some("──────────\nFrom: Support <s@x.com>\nSent: Monday\n\nold"),
    );
}

#[test]
fn mobile_footers_of_more_languages() {
    for footer in [
        "Sendt fra min iPad",
        "Skickat från min iPhone",
        "Inviato da iPhone",
        "Verzonden vanaf mijn iPhone",
        "Lähetetty iPhonesta",
        "iPhoneから送信",
        "Отправлено из мобильной Почты",
        "Get Outlook for Android",
    ] {
        check(&format!("Ok.\n\n{footer}"), "Ok.", Some(footer), None);
    }
}

#[test]
fn inline_answers_below_a_note_stay() {
    let body = "See my answers below.\n\nOn Mon, 3 Jun 2024 at 10:00, S <s@x.com> wrote:\n> Which version?\n\n4.2\n\n> Which OS?\n\nWindows 11";
    check(body, body, None, None);
}
