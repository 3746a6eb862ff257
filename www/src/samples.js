// Sample templates. Every secret-looking value here is made up for the demo.

/** `{ id, label, context, doc }`: `context` is the context the sample is meant for. */
export const SAMPLES = [
  {
    id: 'invoice',
    label: 'Invoice (clean)',
    context: 'invoice',
    doc: `<!doctype html>
<html>
<body>
  <h1>Invoice {{ invoice.number }}</h1>
  <p>Hello {{ customer.first_name }},</p>
  <p>thank you for your order of {{ invoice.date | date: "%d %B %Y" }}.</p>
  <table>
    <tr><td>Amount due</td><td>{{ invoice.total | money }}</td></tr>
    <tr><td>Due date</td><td>{{ invoice.due_date }}</td></tr>
    <tr><td>Paid with</td><td>card ending in {{ card.last4 }}</td></tr>
  </table>
  <p>View and download your invoice: <a href="{{ invoice.url }}">{{ invoice.url }}</a></p>
  <p>Forgot your password? You can change it at any time: {{ password_reset_url }}</p>
  {% if customer.vat_id %}<p>VAT ID: {{ customer.vat_id }}</p>{% endif %}
  <p>Kind regards,<br>{{ shop.name }}</p>
</body>
</html>
`,
  },
  {
    id: 'welcome',
    label: 'Welcome mail (leaks a password)',
    context: 'welcome',
    doc: `<p>Welcome to {{ shop.name }}, {{ user.first_name }}!</p>
<p>Your account has been created.</p>
<table>
  <tr><td>Username</td><td>{{ user.email }}</td></tr>
  <tr><td>Password</td><td>{{ user.password }}</td></tr>
</table>
<p>Your API key for the integration: {{ account.api_key }}</p>
<p>Sign in: <a href="\${portal_url}/login">\${portal_url}/login</a></p>
`,
  },
  {
    id: 'reset',
    label: 'Password reset',
    context: 'password_reset',
    doc: `Hello <%= user.name %>,

someone asked to reset the password of your account.
If it was you, open this link within 30 minutes:

https://portal.example.com/reset?token=q8Zr2LmX9vTn4KsW7yPd3HbF

If it was not you, ignore this mail: your password stays as it is.
`,
  },
  {
    id: 'multilingual',
    label: 'Multilingual (de / fr / ja)',
    context: 'welcome',
    doc: `🇩🇪 Hallo {{ kunde.vorname }}, Ihr Konto ist eingerichtet.
Benutzername: {{ kunde.email }}
Kennwort: {{ kunde.passwort }}

🇫🇷 Bonjour {{ client.prenom }}, votre compte est prêt.
Mot de passe : {{ client.mot_de_passe }}

🇯🇵 {{ customer.name }} 様、アカウントを作成しました。
パスワード: Xq7#vB2m9Lr
`,
  },
];
