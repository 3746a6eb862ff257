//! The public surface of the engine: policies, decisions, suppressions, offsets.

use sendguard::{Action, Category, Context, Engine, ErrorKind, Format, Kind, Policy, ScanOptions, Source};

fn scan(text: &str) -> sendguard::Report {
    Engine::default_policy().scan(text, &ScanOptions::default())
}

fn scan_in(text: &str, context: Context) -> sendguard::Report {
    Engine::default_policy().scan(text, &ScanOptions::with_context(context))
}

#[test]
fn every_default_rule_has_examples_that_pass() {
    let engine = Engine::default_policy();
    let failures = engine.check_examples();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(engine.rules().len() >= 60);
}

#[test]
fn at_least_forty_token_formats_and_twelve_password_languages() {
    let policy = Policy::default_policy();
    let formats = policy.rules.iter().filter(|r| r.pattern.is_some() && matches!(r.category, Category::Token | Category::PrivateKey | Category::ConnectionString)).count();
    assert!(formats >= 40, "{formats} token/key formats");
    let engine = Engine::default_policy();
    let labels = [
        "Password", "Passwort", "Kennwort", "Contraseña", "Mot de passe", "Senha", "Wachtwoord", "Lösenord", "Hasło",
        "Пароль", "パスワード", "密码", "비밀번호", "Salasana", "Heslo", "Jelszó", "Şifre", "Adgangskode",
    ];
    for (i, label) in labels.iter().enumerate() {
        let r = engine.scan(&format!("{label}: Qx7-vB2m9L\n"), &ScanOptions::default());
        assert_eq!(r.verdict, Action::Block, "label #{i} ({label}) not recognised");
    }
}

#[test]
fn offsets_with_emoji_cjk_and_accents() {
    let text = "Hola 👋 你好\n<!-- x -->\nContraseña: Verano#2024 ✅\n";
    let r = scan(text);
    assert_eq!(r.findings.len(), 1);
    let f = &r.findings[0];
    assert_eq!(&text[f.start..f.end].len(), &"Verano#2024".len());
    assert!(text[..f.start].ends_with("Contraseña: "));
    let utf16: Vec<u16> = text.encode_utf16().collect();
    let expected: Vec<u16> = "Verano#2024".encode_utf16().collect();
    assert!(utf16[f.utf16_start..f.utf16_end] == expected[..], "UTF-16 span does not cover the value");
    assert_eq!((f.line, f.column), (3, "Contraseña: ".chars().count() + 1));
    assert_eq!(f.end_line, 3);
    assert_eq!(f.end_column, f.column + "Verano#2024".chars().count());
    assert_eq!(f.redacted, "Ve*******24");
}

#[test]
fn html_offsets_map_back_to_the_source() {
    let html = "<table><tr><td><b>Contraseña</b></td><td><code>Tr0ub4dor&amp;3</code></td></tr></table>";
    let r = Engine::default_policy().scan(html, &ScanOptions { format: Format::Html, ..Default::default() });
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings.iter().map(|f| &f.rule_id).collect::<Vec<_>>());
    let f = &r.findings[0];
    assert!(html[f.start..].starts_with("Tr0ub4dor"), "the span does not start at the value");
    assert_eq!(&html[f.end..f.end + 7], "</code>", "the span ends where the value ends");
    assert_eq!(f.end - f.start, "Tr0ub4dor&amp;3".len());
    assert_eq!(f.redacted.chars().filter(|&c| c != '*').count(), 4);
}

#[test]
fn entity_encoded_labels_are_read() {
    let html = "<p>&#80;assword: Summer#2024x</p>";
    assert_eq!(Engine::default_policy().scan(html, &ScanOptions::default()).verdict, Action::Block);
}

#[test]
fn not_findings() {
    for (i, text) in [
        "Password: ********",
        "Your password must be at least 12 characters.",
        "Forgot your password? Use the link on the sign-in page.",
        "password not included for security",
        "Password:\n\nThanks",
        "Card ending 4242",
        "•••• 4242",
        "Publishable key: pk_live_51HqLyjWDarjtT1zdp7dcFake00",
        "Order ID: ba1c0df4-1893-4dd4-acad-e8285b64fbfe",
        "Invoice number: INV-339490",
        "<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\">",
        "Unsubscribe: https://portal.example.com/unsubscribe?u=OIPOZx9eRmm0EqlTaWEITclo",
    ]
    .iter()
    .enumerate()
    {
        let r = scan(text);
        assert_eq!(r.verdict, Action::Pass, "case #{i}: {:?}", r.findings.iter().map(|f| &f.rule_id).collect::<Vec<_>>());
    }
}

#[test]
fn contexts_decide_reset_links_and_codes() {
    let reset = "Reset it here: https://portal.example.com/reset?t=O4a6yJKP4GY08vDuPngU30ZP7Thnp5yx";
    assert_eq!(scan_in(reset, Context::PasswordReset).verdict, Action::Pass);
    assert_eq!(scan_in(reset, Context::Generic).verdict, Action::Warn);
    assert_eq!(scan_in(reset, Context::Invoice).verdict, Action::Warn);
    let otp = "Your verification code: 482913";
    assert_eq!(scan_in(otp, Context::Otp).verdict, Action::Pass);
    assert_eq!(scan_in(otp, Context::Generic).verdict, Action::Warn);
    assert_eq!(scan_in(otp, Context::Welcome).verdict, Action::Warn);
    assert_eq!(scan_in(otp, Context::Invoice).verdict, Action::Block);
    assert_eq!(scan_in(otp, Context::TicketAck).verdict, Action::Block);
    for c in Context::ALL {
        assert_eq!(scan_in("Password: Xq7#vB2m9L", c).verdict, Action::Block);
        assert_eq!(scan_in("ghp_R8fK2mQv7ZpL4xNc9TbW3hYs6JdG1uVa5eXo", c).verdict, Action::Block, "{c:?}");
    }
}

#[test]
fn placeholders_in_templates() {
    let r = scan("Hallo {{ customer.first_name }},\nKennwort: {{ customer.password }}\n");
    assert_eq!(r.kind, Kind::Template);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].source, Source::Placeholder);
    assert_eq!(r.findings[0].redacted, "{{ customer.password }}");
    let clean = scan("Reset: {{ password_reset_url }}\n{{#if has_password}}set{{/if}} {{ card.last4 }}");
    assert_eq!(clean.verdict, Action::Pass);
}

#[test]
fn inline_suppression_needs_a_reason() {
    let with = scan("<!-- sendguard:allow password-label -- demo account in the docs -->\nPassword: Xq7#vB2m9L\n");
    assert_eq!(with.verdict, Action::Pass);
    assert_eq!(with.suppressed.len(), 1);
    assert_eq!(with.suppressed[0].by, "inline");
    assert_eq!(with.suppressed[0].reason.as_deref(), Some("demo account in the docs"));
    let without = scan("Password: Xq7#vB2m9L  # sendguard:allow password-label\n");
    assert_eq!(without.verdict, Action::Warn);
    assert_eq!(without.suppressed.len(), 1);
    assert_eq!(without.findings[0].rule_id, "suppression-without-reason");
    let other_rule = scan("sendguard:allow pin-label -- wrong rule\nPassword: Xq7#vB2m9L\n");
    assert_eq!(other_rule.verdict, Action::Block);
}

#[test]
fn allow_lists_by_rule_hash_and_path() {
    use sha2::{Digest, Sha256};
    let hash: String = Sha256::digest(b"Xq7#vB2m9L").iter().map(|b| format!("{b:02x}")).collect();
    let policy = format!(
        "extends = \"default\"\n[allow]\nvalueHashes = [\"{hash}\"]\npaths = [\"fixtures/**\"]\nrules = [\"pin-label\"]\n"
    );
    let engine = Engine::from_policy_str(&policy).expect("policy compiles");
    let r = engine.scan("Password: Xq7#vB2m9L\nPIN: 4821\nPassword: Other#Value9", &ScanOptions::default());
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.suppressed.len(), 2);
    let by: Vec<_> = r.suppressed.iter().map(|s| s.by.as_str()).collect();
    assert!(by.contains(&"value") && by.contains(&"rule"));
    let in_path = engine.scan("Password: Other#Value9", &ScanOptions { path: Some("fixtures/a/b.html".into()), ..Default::default() });
    assert_eq!(in_path.verdict, Action::Pass);
    assert_eq!(in_path.suppressed[0].by, "path");
}

#[test]
fn json_and_toml_policies_extend_the_default() {
    let json = r#"{"extends":"default","disable":["pin-label"],"actions":[{"category":"password","context":"welcome","action":"warn"}],
      "rules":[{"id":"acme-key","category":"token","pattern":"(?P<secret>ACME-[0-9A-F]{16})","keywords":["acme-"],"examples":["ACME-7C2A9F41B83E06D5"],"counterExamples":["ACME-12"]}]}"#;
    let engine = Engine::from_policy_str(json).expect("JSON policy compiles");
    assert!(engine.check_examples().is_empty());
    assert_eq!(engine.scan("key ACME-7C2A9F41B83E06D5", &ScanOptions::default()).verdict, Action::Block);
    assert_eq!(engine.scan("PIN: 4821", &ScanOptions::default()).verdict, Action::Pass);
    assert_eq!(engine.scan("Password: Xq7#vB2m9L", &ScanOptions::with_context(Context::Welcome)).verdict, Action::Warn);
    let toml = "[[rules]]\nid = \"only\"\ncategory = \"token\"\npattern = 'ZZ-[0-9]{6}'\nexamples = [\"ZZ-123456\"]\ncounterExamples = [\"ZZ-1\"]\n";
    let alone = Engine::from_policy_str(toml).expect("TOML policy compiles");
    assert_eq!(alone.rules().len(), 1);
    assert_eq!(alone.scan("Password: Xq7#vB2m9L", &ScanOptions::default()).verdict, Action::Pass);
}

#[test]
fn unsafe_or_malformed_rules_are_refused_with_the_rule_named() {
    let rule = |id: &str, pattern: &str| format!("[[rules]]\nid = \"{id}\"\ncategory = \"token\"\npattern = '''{pattern}'''\n");
    for (id, pattern, why) in [
        ("backref", r"(a+)\1", "back-reference"),
        ("lookahead", r"secret(?=[0-9])", "look-around"),
        ("lookbehind", r"(?<=key=)[a-z]+", "look-around"),
        ("huge", r"(?:[\w\d]{1000}){1000}", "more than"),
        ("broken", r"(unclosed", "not a valid pattern"),
    ] {
        let err = Engine::from_policy_str(&rule(id, pattern)).expect_err(id);
        assert_eq!(err.kind(), ErrorKind::Rule);
        assert_eq!(err.rule_id(), Some(id));
        assert!(err.to_string().contains(id) && err.to_string().contains(why), "{err}");
    }
    for bad in ["{", "[[rules]]\nid = 3", "nonsense = true", "extends = \"other\""] {
        assert_eq!(Engine::from_policy_str(bad).expect_err(bad).kind(), ErrorKind::Policy);
    }
    // The engine built before keeps working after errors.
    assert_eq!(scan("Password: Xq7#vB2m9L").verdict, Action::Block);
}

#[test]
fn invalid_utf8_is_read_as_windows_1252() {
    // Not an error: a scanner that refuses a Latin-1 file lets it through unread.
    let bytes = b"Contrase\xf1a: Xq7#vB2m9L \xff\xfe";
    let r = Engine::default_policy().scan_bytes(bytes, &ScanOptions::default()).expect("any bytes are text");
    assert_eq!(r.verdict, Action::Block);
    assert_eq!(&bytes[r.findings[0].start..r.findings[0].end], b"Xq7#vB2m9L", "offsets into the bytes");
}

#[test]
fn large_inputs_finish_and_limits_are_reported() {
    let engine = Engine::default_policy();
    let mut big = "lorem ipsum dolor sit amet password ".repeat(50 * 1024 * 1024 / 36);
    big.push_str("Password: Xq7#vB2m9L");
    let t = std::time::Instant::now();
    let r = engine.scan(&big, &ScanOptions { format: Format::Text, ..Default::default() });
    assert_eq!(r.verdict, Action::Block);
    assert!(t.elapsed().as_secs() < 30, "50 MB took {:?}", t.elapsed());
    let small = Engine::from_policy_str("extends = \"default\"\n[limits]\nmaxDocumentBytes = 64\n").unwrap();
    let r = small.scan(&"x".repeat(100), &ScanOptions::default());
    assert_eq!(r.verdict, Action::Warn);
    assert_eq!(r.findings[0].category, Category::Limit);
    assert_eq!(r.unscanned.len(), 1, "the bytes past the limit could hold text");
}

#[test]
fn reports_never_hold_the_secret() {
    let secrets = ["Xq7#vB2m9L", "ghp_EXAMPLEa1b2c3d4e5f6g7h8i9j0k1l2m3n4o", "4111 1111 1111 1111"];
    let text = format!("Password: {}\ntoken {}\nCard: {}\n", secrets[0], secrets[1], secrets[2]);
    let r = scan(&text);
    assert_eq!(r.findings.len(), 3);
    let json = serde_json::to_string(&r).unwrap();
    for (i, s) in secrets.iter().enumerate() {
        assert!(!json.contains(s), "secret #{i} appears in the report");
    }
}

#[test]
fn placeholders_by_position() {
    let engine = Engine::default_policy();
    let template = |context| ScanOptions { kind: Kind::Template, ..ScanOptions::with_context(context) };
    let categories = |text: &str, context| -> Vec<Category> { engine.scan(text, &template(context)).findings.iter().map(|f| f.category).collect() };
    // In a link's query a bare token is the link's; after "code" a one-time code.
    assert_eq!(categories("Delete: {{url}}/#/verify?userId={{user_id}}&token={{token}}", Context::Generic), [Category::ResetLink]);
    assert_eq!(categories("Join: https://example.com/#/room?t={{ guest_access_token|urlencode }}", Context::Welcome), [Category::ResetLink]);
    assert_eq!(categories("Your API key: {{ api_token }}", Context::Generic), [Category::Token]);
    assert_eq!(categories("Your verification code is: {{ token }}", Context::Otp), [Category::OneTimeCode]);
    assert_eq!(engine.scan("Your verification code is: {{ token }}", &template(Context::Otp)).verdict, Action::Pass);
    assert!(categories("Discount code: {{ code }}", Context::Invoice).is_empty());
    // In the value slot of a password label, any placeholder is the password.
    assert_eq!(categories("Password: %2$s", Context::Generic), [Category::Password]);
    assert_eq!(categories("Hello {{ magic_link }},", Context::Invoice), Vec::<Category>::new());
}

#[test]
fn tokens_that_code_builds_into_links_are_links() {
    let engine = Engine::default_policy();
    let template = ScanOptions { kind: Kind::Template, ..ScanOptions::with_context(Context::PasswordReset) };
    let blocked = |text: &str| engine.scan(text, &template).verdict == Action::Block;
    assert!(!blocked("return (new MailMessage)->action('Choose a password', url('account/setup/' . $this->token));"));
    assert!(!blocked("$link = route('account.setup', ['token' => $this->token]);"));
    assert!(!blocked("if (!is_null($this->token)) { return $this->setup(); }"));
    assert!(!blocked("Open {{url}} / setup ? mail = {{to}} & token = {{token}} to continue."));
    assert!(blocked("Your API token: {{ api_token }}"));
    assert!(blocked("echo 'Your API token: ' . $user->api_token;"));
    // The link's token printed again for readers who type it in is the link's token.
    let reset = "<td class=\"code\">{{token}}</td>\n<a href=\"{{url}}/recover?email={{to}}&token={{token}}\">Reset</a>";
    assert!(!blocked(reset));
    assert!(!blocked("Enter {{ token }} or open https://example.com/setup?t={{ token }}"));
    // Another name in the link says nothing of the printed one.
    assert!(blocked("Your API token: {{ api_token }}\n<a href=\"{{url}}/recover?token={{token}}\">Reset</a>"));
}

#[test]
fn slots_in_source_strings_joined_by_concatenation() {
    let engine = Engine::default_policy();
    let options = ScanOptions { kind: Kind::Template, ..ScanOptions::with_context(Context::PasswordReset) };
    let blocked = |text: &str| engine.scan(text, &options).verdict == Action::Block;
    // The label's string ends; the slot is in the literal after a literal of line breaks.
    assert!(blocked(r#"'TEXT' => 'Your new temporary password is:' . "\n\n" . '%2$s' . "\n\nBye","#));
    // A name spliced into the string between the label and its colon is one filler word.
    assert!(blocked(r#"define('BODY', 'Your new password to \'' . STORE_NAME . '\' is:' . "\n\n" . '   %s');"#));
    assert!(blocked("msg = \"Your password for \" + site.name + \" is: {0}\";"));
    assert!(blocked("Your password for {{ site }} is: {{ pw }}"));
    assert!(blocked("Your new password for the shop is: %s"));
    // Words and a connector without a colon may be prose (Finnish "on" is "is").
    assert!(!blocked("<?= Yii::t('user', 'We received a request to reset the password for your account on {0}', $name) ?>"));
    assert!(!blocked(r#"'TEXT' => 'Your password was changed.' . "\n\n" . '%s',"#));
}

#[test]
fn language_file_strings_that_only_mention_a_password() {
    let engine = Engine::default_policy();
    let options = ScanOptions { kind: Kind::Template, ..ScanOptions::with_context(Context::Welcome) };
    let verdict = |text: &str| engine.scan(text, &options).verdict;
    // A key that ends in `_password` whose value is a sentence.
    assert_eq!(verdict("de:\n  notice_can_t_change_password: Dieses Konto verwendet eine externe Quelle.\n"), Action::Pass);
    assert_eq!(verdict("smtp:\n  smtp_password: Xq7#vB2m9L\n"), Action::Block);
    // Ruby interpolation after a label and a space is the site's name in a subject line;
    // after a colon it is the slot.
    assert_eq!(verdict("fr:\n  mail_subject_lost_password: \"Votre mot de passe %{value}\"\n"), Action::Pass);
    assert_eq!(verdict("en:\n  body: \"Your password: %{password}\"\n"), Action::Block);
    // An escaped line break after a colon is no `<br>` slot.
    assert_eq!(verdict("body: \"请点击以下链接设置一个新密码：<br>\\n<a href='{{.PassResetUrl}}'>{{.PassResetUrl}}</a>\""), Action::Pass);
    // A typographic quote closes the phrase: „Passwort vergessen“-Funktion.
    assert_eq!(verdict("$s_error = 'Die „Passwort vergessen“-Funktion ist nicht verfügbar.';"), Action::Pass);
}

#[test]
fn titles_and_code_that_only_handle_a_password() {
    let engine = Engine::default_policy();
    let options = ScanOptions { kind: Kind::Template, ..ScanOptions::with_context(Context::PasswordReset) };
    let blocked = |text: &str| engine.scan(text, &options).verdict == Action::Block;
    // A heading of a reset noun and the label: the next block is the greeting.
    assert!(!blocked("BODY: \"<h1>Réinitialisation de mot de passe</h1><p>%1$s,</p><p>Une demande a été faite.</p>\""));
    // Code that reads, hashes or stores a password prints none.
    assert!(!blocked("<?php\n$new_password = $_POST['PASSWORD'];\n$password = $staff_RET[1]['PASSWORD'];\nDBQuery(\"UPDATE staff SET PASSWORD='\" . encrypt_password( $new_password ) . \"'\");\n"));
    assert!(blocked("<?php\n$body = 'Your new password: ' . $new_password;\n"));
    assert!(blocked("<h1>Reset</h1>\n<p>Your new password: %1$s</p>"));
}

#[test]
fn a_button_that_names_the_password_labels_no_value() {
    let engine = Engine::default_policy();
    let options = ScanOptions { kind: Kind::Rendered, ..ScanOptions::with_context(Context::Welcome) };
    let verdict = |text: &str| engine.scan(text, &options).verdict;
    // The button's text ends its line; what follows is the page's footer.
    let invite = "<p>You were invited.</p><div><a href=\"https://x.example/setup?t=1\">Set up your password</a></div>\n<td><strong>OpenSupports</strong><br>Open source ticket system</td>";
    assert_ne!(verdict(invite), Action::Block);
    assert_ne!(verdict("<h2>Choose a new password</h2>\n<p>ExampleCorp9</p>"), Action::Block);
    // A label with its value is still one, and so is a sentence that gives one.
    assert_eq!(verdict("<p>Set up your password: Xq7#vB2m9L</p>"), Action::Block);
    assert_eq!(verdict("<p>Your password</p>\n<p>Xq7#vB2m9L</p>"), Action::Block);
}

#[test]
fn labels_inside_a_purpose_phrase_label_no_value() {
    let engine = Engine::default_policy();
    let verdict = |text: &str, context| engine.scan(text, &ScanOptions { kind: Kind::Template, ..ScanOptions::with_context(context) }).verdict;
    assert_eq!(verdict("Hi,\nOpen this link to set your password:\n%s\n", Context::PasswordReset), Action::Pass);
    assert_eq!(verdict("Hi,\nYour code to reset the password is: %s\n", Context::Otp), Action::Pass);
    assert_eq!(verdict("Klicken Sie auf den Link, um Ihr Passwort zu ändern:\n%s\n", Context::PasswordReset), Action::Pass);
    assert_eq!(verdict("Use the link to sign in. Your password: %s\n", Context::Welcome), Action::Block);
    assert_eq!(verdict("Click the link to sign in with this password: Xq7#vB2m9L\n", Context::Welcome), Action::Block);
}

#[test]
fn template_syntaxes_of_the_seventh_set_and_codes_named_token() {
    let engine = Engine::default_policy();
    let in_ctx = |text: &str, context| engine.scan(text, &ScanOptions { kind: Kind::Template, ..ScanOptions::with_context(context) }).verdict;
    // Subrion's `{%NAME%}` and TwistPHP's `{data:name}` are printed slots.
    assert_eq!(in_ctx("<b>Password:</b> {%PASSWORD%}", Context::Welcome), Action::Block);
    assert_eq!(in_ctx("The password for your account is: <strong>{data:password}</strong>", Context::Welcome), Action::Block);
    assert_eq!(in_ctx("{% if user %}Hi{%endif%}", Context::Welcome), Action::Pass);
    // A placeholder that ends in `token` or `code` after "code" is the code, also after a
    // line-break escape of a source string.
    assert_eq!(in_ctx("Или воспользуйтесь кодом подтверждения: {pass_token}", Context::Otp), Action::Pass);
    assert_eq!(in_ctx("Enter this 6 digit code:<br /><br /> \\r\\n <b>{{Customer.Token}}</b>", Context::Otp), Action::Pass);
    assert_eq!(in_ctx("Your promo code: {{ promo_code }}", Context::Invoice), Action::Pass);
    assert_eq!(in_ctx("商品コード：{{ OrderItem.product_code }}", Context::Invoice), Action::Pass);
    assert_eq!(in_ctx("Total: {{ amount }} {{ transaction.currency_code|upper }}", Context::Invoice), Action::Pass);
    assert_eq!(in_ctx("Your API token: {{ api_token }}", Context::Otp), Action::Block);
}
