// 结果视图 / The result view: a debtor / debtors answer as a case officer reads it.
//
// The view watches GraphiQL's fetcher: the introspection answer gives it the schema (every
// heading comes from a field's description, '中文 / English'), and each answer with `debtor`
// or `debtors` in it is drawn as status lines, the asset summary, one table per agency and
// asset class, and the leads. It draws whatever fields the query selected; anything it does
// not recognise is still shown as a table. Plain DOM, no framework: GraphiQL keeps the JSON.

const PROFILE_FIELDS = new Set(["debtor", "debtors"]);
const HEADER_FIELDS = new Set(["subject", "relation", "relatedTo", "caseNumber"]);
const LEAD_FIELDS = ["spouse", "controlledEnterprises"];
const ENCUMBRANCE_FIELD = /(freezes|seizures|mortgages)$/i;
const ENCUMBRANCE_TEXT = /(冻结|查封|扣押|抵押|质押)/;
const NOT_MONEY = /(ratio|area|m2|quantity|rate)/i;
const REPORT_URL = "/report";
let headers = {}; // GraphiQL's Headers pane, as its last request sent them (the caller's token)
const STATUS_TONE = {
  OK: "ok",
  NOT_FOUND: "none",
  NOT_APPLICABLE: "none",
  NOT_CONFIGURED: "none",
  TIMEOUT: "slow",
  UNAVAILABLE: "down",
  CIRCUIT_OPEN: "down",
  REJECTED: "down",
  ERROR: "down",
};

// --- the schema, from GraphiQL's own introspection query ------------------------------------

let schema = null; // { types: Map<name, type>, query: name }

function learnSchema(introspection) {
  const types = new Map(introspection.types.map((type) => [type.name, type]));
  schema = { types, query: introspection.queryType.name };
}

function namedType(ref) {
  let type = ref;
  while (type && type.ofType) type = type.ofType;
  return type ? type.name : null;
}

function fieldOf(typeName, name) {
  const type = schema && typeName ? schema.types.get(typeName) : null;
  const field = type && type.fields ? type.fields.find((f) => f.name === name) : null;
  return field ? { type: namedType(field.type), description: field.description || "" } : null;
}

// '中文 / English' -> ['中文', 'English']
function split(description) {
  const at = description.indexOf(" / ");
  return at < 0 ? [description, ""] : [description.slice(0, at), description.slice(at + 3)];
}

function chinese(description, fallback) {
  const zh = split(description || "")[0].trim();
  return zh || fallback;
}

// An enum's Chinese names from its description: '…状态。OK 有记录；NOT_FOUND 查无此人；…'
function enumLabels(typeName) {
  const type = schema ? schema.types.get(typeName) : null;
  const labels = {};
  const zh = type && type.description ? split(type.description)[0] : "";
  for (const match of zh.matchAll(/([A-Z][A-Z_]+)\s+([^；，。：\s][^；，。]*)/g)) {
    labels[match[1]] = match[2].trim();
  }
  return labels;
}

// A column's heading: the description's Chinese, without its explanation in brackets.
function shortChinese(description, fallback) {
  const zh = split(description || "")[0].split(/[（；(]/)[0].trim();
  return zh || fallback;
}

// --- formatting --------------------------------------------------------------------------

// Every digit the answer has, as the report prints it ("0.125" is not "0.13"), at least two
// decimals; a decimal string is formatted as written, not through a double, which rounds past
// 15 or so significant digits.
const yuan = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 20 });
const DECIMAL = /^-?\d+(\.\d+)?$/;

function isMoney(field, name) {
  return field && field.type === "Decimal" && !NOT_MONEY.test(name);
}

export function money(value, currency) {
  const exact = typeof value === "string" && DECIMAL.test(value);
  if (!exact && !Number.isFinite(Number(value))) return String(value);
  const shown = yuan.format(exact ? value : Number(value));
  if (currency && currency !== "CNY") return `${currency} ${shown}`;
  return `¥${shown}`;
}

// The exact sum of decimal strings (the summary's yuan totals), as a decimal string: added as
// whole numbers of their smallest unit, not as doubles.
export function decimalSum(values) {
  const decimals = values.filter((value) => typeof value === "string" && DECIMAL.test(value));
  const places = Math.max(0, ...decimals.map((value) => (value.split(".")[1] || "").length));
  let units = 0n;
  for (const value of decimals) {
    const [whole, fraction = ""] = value.replace("-", "").split(".");
    const scaled = BigInt(whole + fraction.padEnd(places, "0"));
    units += value.startsWith("-") ? -scaled : scaled;
  }
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(places + 1, "0");
  const whole = digits.slice(0, digits.length - places);
  const fraction = places ? `.${digits.slice(digits.length - places)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

function text(value, field, name, row) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "是" : "否";
  if (isMoney(field, name)) return money(value, row && row.currency);
  if (Array.isArray(value)) return value.map((item) => text(item)).join("、") || "—";
  if (typeof value === "object" && "amount" in value && "currency" in value) {
    return money(value.amount, value.currency); // Money
  }
  if (typeof value === "object") {
    return Object.entries(value)
      .map(([key, item]) => `${key}: ${text(item)}`)
      .join("；");
  }
  return String(value);
}

// --- DOM ---------------------------------------------------------------------------------

function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "className") element.className = value;
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

function heading(level, description, fallback, ...extra) {
  const label = shortChinese(description, fallback);
  return h(`h${level}`, { title: description || null }, label, ...extra);
}

function none() {
  return h("p", { className: "cr-empty" }, "无 none");
}

function badge(tone, label) {
  return h("span", { className: `cr-badge cr-${tone}` }, label);
}

// --- the parts of a profile --------------------------------------------------------------

function agencyNames() {
  // The agency's name is the start of its field's description on DebtorProfile: '公安：户籍…'
  const names = {};
  const type = schema ? schema.types.get("DebtorProfile") : null;
  for (const field of (type && type.fields) || []) {
    names[field.name.toUpperCase()] = split(field.description || "")[0].split("：")[0];
  }
  return names;
}

function sourceLines(sources) {
  const statuses = enumLabels("SourceStatus");
  const agencies = agencyNames();
  return h(
    "ul",
    { className: "cr-sources", "data-part": "sources" },
    sources.map((source) => {
      const tone = STATUS_TONE[source.status] || "down";
      const time = typeof source.latencyMs === "number" ? `${Math.round(source.latencyMs)} ms` : "";
      const cached = source.cached === undefined ? "" : source.cached ? "缓存 cached" : "实时 live";
      const count = source.recordCount === undefined ? "" : `${source.recordCount} 条`;
      return h(
        "li",
        { className: `cr-source cr-${tone}`, "data-agency": source.agency || "" },
        h("span", { className: "cr-agency" }, agencies[source.agency] || source.agency || "—"),
        source.status === undefined
          ? null
          : badge(tone, `${statuses[source.status] || source.status} ${source.status}`),
        h("span", { className: "cr-meta" }, [time, cached, count].filter(Boolean).join(" · ")),
        source.message ? h("span", { className: "cr-message" }, source.message) : null,
      );
    }),
  );
}

function summaryTable(summary) {
  const classes = summary.classes || [];
  const names = enumLabels("AssetClass");
  const agencies = agencyNames();
  const table = rowsTable(classes, "AssetClassSummary", (row, name) => {
    if (name === "assetClass") return names[row.assetClass] || row.assetClass;
    if (name === "agency") return agencies[row.agency] || row.agency;
    return null;
  });
  const sums = {};
  for (const name of ["count", "total", "encumbered"]) {
    if (classes.length && name in classes[0]) {
      sums[name] =
        name === "total"
          ? decimalSum(classes.map((row) => row.total))
          : classes.reduce((sum, row) => sum + (Number(row[name]) || 0), 0);
    }
  }
  if (Object.keys(sums).length) {
    const columns = Object.keys(classes[0]);
    const cells = columns.map((name, index) => {
      if (index === 0) return h("th", { scope: "row" }, "合计 Total");
      if (!(name in sums)) return h("td");
      const sum = name === "total" ? money(sums[name]) : String(sums[name]);
      return h("td", { className: "cr-number" }, sum);
    });
    table.querySelector("tbody").append(h("tr", { className: "cr-total" }, cells));
  }
  return table;
}

function isEncumbered(row) {
  return Object.entries(row).some(
    ([name, value]) =>
      (name === "seizureCount" && value > 0) ||
      (name === "status" && typeof value === "string" && ENCUMBRANCE_TEXT.test(value)),
  );
}

function rowsTable(rows, typeName, special) {
  const columns = [];
  for (const row of rows) {
    for (const name of Object.keys(row)) if (!columns.includes(name)) columns.push(name);
  }
  const fields = columns.map((name) => fieldOf(typeName, name));
  const head = h(
    "tr",
    null,
    columns.map((name, index) => {
      const description = (fields[index] && fields[index].description) || "";
      const label = shortChinese(description, name).split("：")[0];
      return h("th", { scope: "col", title: description || name }, label);
    }),
  );
  const body = rows.map((row) => {
    const marked = isEncumbered(row);
    return h(
      "tr",
      { className: marked ? "cr-encumbered" : null },
      columns.map((name, index) => {
        const custom = special ? special(row, name) : null;
        const value = custom === null ? text(row[name], fields[index], name, row) : custom;
        const numeric = isMoney(fields[index], name) || typeof row[name] === "number";
        return h("td", { className: numeric ? "cr-number" : null }, value);
      }),
    );
  });
  return h("table", { className: "cr-table" }, h("thead", null, head), h("tbody", null, body));
}

// One agency's records: one table per list (asset class), a one-row table per object.
function agencySection(name, records, field) {
  const section = h(
    "section",
    { className: "cr-agency-records", "data-agency": name.toUpperCase() },
    heading(3, field && field.description, name),
  );
  const typeName = field && field.type;
  for (const [key, value] of Object.entries(records)) {
    const child = fieldOf(typeName, key);
    const rows = Array.isArray(value) ? value : value === null ? [] : [value];
    const encumbrance = ENCUMBRANCE_FIELD.test(key);
    const title = heading(
      4,
      child && child.description,
      key,
      encumbrance ? badge("encumbrance", "权利负担 encumbrance") : null,
    );
    if (rows.length && typeof rows[0] !== "object") {
      section.append(title, h("p", null, text(value, child, key)));
      continue;
    }
    section.append(
      h(
        "div",
        { className: `cr-class${encumbrance ? " cr-encumbrance-table" : ""}`, "data-field": key },
        title,
        rows.length ? rowsTable(rows, child && child.type) : none(),
      ),
    );
  }
  return section;
}

function describe(typeName, name) {
  const field = fieldOf(typeName, name);
  return field ? field.description : "";
}

const SKIPPED = new Set([...HEADER_FIELDS, "sources", "summary", ...LEAD_FIELDS]);
const NO_DATA = " — 无数据，见状态 no data, see the status";

function profileView(profile, typeName, level) {
  const relation = profile.relation;
  const lead = relation && relation !== "DEBTOR";
  const subject = profile.subject || {};
  const title = [subject.name, subject.id].filter(Boolean).join(" · ") || "查询结果 Result";
  const label = relation ? enumLabels("Relation")[relation] || relation : null;
  const view = h(
    "article",
    { className: lead ? "cr-profile cr-lead" : "cr-profile", "data-relation": relation || "" },
    h(`h${level}`, null, title, label ? badge(lead ? "lead" : "debtor", label) : null),
  );
  if (profile.caseNumber) {
    view.append(h("p", { className: "cr-case" }, `案号 ${profile.caseNumber}`));
  }
  if (relation === "DEBTOR" && profile.caseNumber && subject.id) {
    view.append(reportLinks(profile.caseNumber, subject));
  }
  if (Array.isArray(profile.sources)) {
    view.append(heading(3, describe(typeName, "sources"), "sources"), sourceLines(profile.sources));
  }
  if (profile.summary && Array.isArray(profile.summary.classes)) {
    const summary = summaryTable(profile.summary);
    view.append(heading(3, describe(typeName, "summary"), "summary"), summary);
  }
  for (const [key, value] of Object.entries(profile)) {
    if (SKIPPED.has(key)) continue;
    const field = fieldOf(typeName, key);
    const description = field && field.description;
    if (value === null) {
      const absent = h("section", {
        className: "cr-agency-records cr-absent",
        "data-agency": key.toUpperCase(),
      });
      view.append(absent);
      absent.append(heading(3, description, key, NO_DATA));
    } else if (typeof value === "object" && !Array.isArray(value)) {
      view.append(agencySection(key, value, field));
    } else {
      view.append(h("p", null, `${chinese(description, key)}：${text(value, field, key)}`));
    }
  }
  for (const key of LEAD_FIELDS) {
    if (key in profile) view.append(leadsSection(key, profile[key], typeName, level));
  }
  return view;
}

// The spouse and the controlled enterprises: profiles of their own, marked as leads.
function leadsSection(key, value, typeName, level) {
  const field = fieldOf(typeName, key);
  const leads = [value].flat().filter(Boolean);
  const section = h(
    "section",
    { className: "cr-leads", "data-part": key },
    heading(level + 1, field && field.description, key, badge("lead", "线索 lead")),
  );
  if (!leads.length) section.append(none());
  for (const item of leads) {
    section.append(profileView(item, (field && field.type) || typeName, level + 2));
  }
  return section;
}

// The inquiry report for the case file: fetched with the caller's token (a link cannot send
// it), the HTML opened in a new tab, the PDF saved.
function reportLinks(caseNumber, subject) {
  const query = new URLSearchParams({ case: caseNumber, subject: subject.id });
  if (subject.kind) query.set("kind", subject.kind);
  const status = h("span", { className: "cr-report-status", role: "status" });
  const link = (format, label) => {
    const button = h("button", { type: "button", "data-report": format }, label);
    button.addEventListener("click", () => openReport(`${query}&format=${format}`, status));
    return button;
  };
  return h(
    "p",
    { className: "cr-report" },
    "查控报告 Report: ",
    link("html", "网页 HTML"),
    link("pdf", "下载 PDF"),
    status,
  );
}

async function openReport(query, status) {
  status.textContent = "正在生成… · Preparing…";
  try {
    const response = await fetch(`${REPORT_URL}?${query}`, { headers });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      const error = (body.errors && body.errors[0]) || {};
      const code = (error.extensions && error.extensions.code) || response.status;
      status.textContent = `${code} ${error.message || ""}`;
      return;
    }
    if (query.endsWith("format=pdf")) {
      const disposition = response.headers.get("Content-Disposition") || "";
      const named = /filename\*=UTF-8''([^;]+)/.exec(disposition);
      const file = named ? decodeURIComponent(named[1]) : "chakong-report.pdf";
      const url = URL.createObjectURL(await response.blob());
      h("a", { href: url, download: file }).click();
    } else {
      // a blob: page resolves nothing relative: its links (the font) go to this gateway
      const base = `<head><base href="${location.origin}/">`;
      const html = (await response.text()).replace(/<head>/i, base);
      window.open(URL.createObjectURL(new Blob([html], { type: "text/html" })), "_blank");
    }
    status.textContent = "";
  } catch (error) {
    status.textContent = String(error);
  }
}

function errorsView(errors) {
  return h(
    "ul",
    { className: "cr-errors", role: "alert" },
    errors.map((error) =>
      h(
        "li",
        null,
        error.extensions && error.extensions.code ? h("code", null, error.extensions.code) : null,
        " ",
        error.message,
      ),
    ),
  );
}

const NOTHING_TO_DRAW =
  "此查询没有被执行人结果（debtor / debtors）。· This answer has no debtor or debtors in it.";

// --- the public part -----------------------------------------------------------------------

function render(panel, result) {
  const data = (result && result.data) || {};
  const keys = Object.keys(data).filter((key) => PROFILE_FIELDS.has(key));
  const body = h("div", { className: "cr-body" });
  if (result && Array.isArray(result.errors) && result.errors.length) {
    body.append(errorsView(result.errors));
  }
  for (const key of keys) {
    const field = fieldOf(schema && schema.query, key);
    const typeName = (field && field.type) || "DebtorProfile";
    for (const profile of [data[key]].flat().filter(Boolean)) {
      body.append(profileView(profile, typeName, 2));
    }
  }
  if (!keys.length && !body.childElementCount) {
    body.append(h("p", { className: "cr-empty" }, NOTHING_TO_DRAW));
  }
  panel.replaceChildren(body);
  panel.dataset.state = "rendered";
  panel.dataset.schema = schema ? "loaded" : "missing"; // headings are field names until it is
}

/** Wrap GraphiQL's fetcher: learn the schema, and draw each answer in `panel`. */
export function watch(fetcher, panel) {
  let last = null;
  function seen(params, result) {
    if (!result || typeof result !== "object") return;
    if (params && params.operationName === "IntrospectionQuery") {
      if (result.data && result.data.__schema) learnSchema(result.data.__schema);
      if (last) render(panel, last);
    } else {
      last = result;
      render(panel, result);
    }
  }
  async function* parts(params, stream) {
    // a multipart answer: pass each part on to GraphiQL, and draw it
    for await (const part of stream) {
      seen(params, part);
      yield part;
    }
  }
  return (params, options) => {
    if (options && options.headers) headers = options.headers;
    return Promise.resolve(fetcher(params, options)).then((result) => {
      const stream = result && typeof result[Symbol.asyncIterator] === "function";
      if (stream) return parts(params, result);
      seen(params, result);
      return result;
    });
  };
}

// GraphiQL has no translations: its own labels, in Chinese beside the English.
const LABELS = {
  Variables: "变量 Variables",
  Headers: "请求头 Headers",
  "Execute query (Ctrl-Enter)": "执行查询 Execute query (Ctrl-Enter)",
  "Prettify query (Shift-Ctrl-P)": "格式化 Prettify (Shift-Ctrl-P)",
  "Merge fragments into query (Shift-Ctrl-M)": "合并片段 Merge fragments (Shift-Ctrl-M)",
  "Copy query (Shift-Ctrl-C)": "复制查询 Copy query (Shift-Ctrl-C)",
  "Show Documentation Explorer": "接口文档 Documentation",
  "Hide Documentation Explorer": "隐藏接口文档 Hide documentation",
  "Show History": "查询历史 History",
  "Hide History": "隐藏查询历史 Hide history",
  "Re-fetch GraphQL schema": "重新获取接口定义 Re-fetch schema",
  "Open short keys dialog": "快捷键 Short keys",
  "Open settings dialog": "设置 Settings",
  "Show editor tools": "显示编辑工具 Show editor tools",
  "Hide editor tools": "隐藏编辑工具 Hide editor tools",
  "Documentation Explorer": "接口文档 Documentation Explorer",
  History: "查询历史 History",
};

function relabel(root) {
  const labelled = "[aria-label], [title], button, .graphiql-doc-explorer-title";
  for (const element of root.querySelectorAll(labelled)) {
    for (const attribute of ["aria-label", "title"]) {
      const value = element.getAttribute(attribute);
      if (value && LABELS[value]) element.setAttribute(attribute, LABELS[value]);
    }
    for (const node of element.childNodes) {
      const label = node.nodeType === Node.TEXT_NODE && LABELS[node.nodeValue.trim()];
      if (label) node.nodeValue = label;
    }
  }
}

/** Keep GraphiQL's labels bilingual as React redraws them. */
export function translate(root) {
  relabel(root);
  let pending = false; // once a frame at most: typing in the editor changes the DOM often
  const later = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      relabel(root);
    });
  };
  new MutationObserver(later).observe(root, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["aria-label", "title"],
  });
}

