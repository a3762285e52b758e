/* Optional micro-surveys (CES after arriving from search, CSAT and NPS site-wide).
 * Owners switch them on with a sample rate; each kind is asked at most once per session,
 * never more than one per page, only after the reader spent some time reading, and
 * never when the reader opted out of tracking (the beacon is then disabled). */
(function () {
  "use strict";
  var config = document.getElementById("survey-config");
  var beacon = window.signpost;
  if (!config || !beacon || !beacon.enabled) return;
  var RANGES = { ces: [1, 7], csat: [1, 5], nps: [0, 10] };
  var AFTER_SECONDS = { ces: 20, csat: 45, nps: 60 };
  var data = config.dataset;
  var candidates = data.surveys.split(",").map(function (item) {
    var parts = item.split(":");
    return { kind: parts[0], rate: parseFloat(parts[1]) };
  }).filter(function (s) {
    if (!RANGES[s.kind] || asked(s.kind)) return false;
    if (s.kind === "ces" && beacon.ref !== "search") return false;
    return Math.random() < s.rate;
  });
  if (!candidates.length) return;
  var survey = candidates[0];

  function asked(kind) {
    try { return sessionStorage.getItem("signpost.survey." + kind) === "1"; } catch (e) { return true; }
  }
  function remember(kind) {
    try { sessionStorage.setItem("signpost.survey." + kind, "1"); } catch (e) { /* ignore */ }
  }

  var timer = setInterval(function () {
    if (beacon.engagedSeconds() >= AFTER_SECONDS[survey.kind]) { clearInterval(timer); show(survey.kind); }
  }, 1000);

  function show(kind) {
    remember(kind);
    var box = document.createElement("aside");
    box.className = "survey";
    box.setAttribute("role", "region");
    box.setAttribute("aria-labelledby", "survey-question");
    var question = document.createElement("p");
    question.id = "survey-question";
    question.textContent = data["question" + cap(kind)];
    var scale = document.createElement("div");
    scale.className = "survey-scale";
    scale.setAttribute("role", "group");
    scale.setAttribute("aria-labelledby", "survey-question");
    for (var score = RANGES[kind][0]; score <= RANGES[kind][1]; score++) scale.appendChild(button(kind, score, box));
    var ends = document.createElement("div");
    ends.className = "survey-ends";
    [data["low" + cap(kind)], data["high" + cap(kind)]].forEach(function (label) {
      var span = document.createElement("span"); span.textContent = label; ends.appendChild(span);
    });
    var close = document.createElement("button");
    close.type = "button"; close.className = "link-button survey-close";
    close.textContent = "×"; close.setAttribute("aria-label", data.close);
    close.addEventListener("click", function () { box.remove(); });
    box.append(close, question, scale, ends);
    document.body.appendChild(box);
    document.addEventListener("keydown", function esc(e) {
      if (e.key === "Escape") { box.remove(); document.removeEventListener("keydown", esc); }
    });
  }

  function button(kind, score, box) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "button"; b.textContent = String(score);
    b.addEventListener("click", function () {
      beacon.send({ type: "survey", kind: kind, score: score });
      beacon.flush();
      box.textContent = data.thanks;
      setTimeout(function () { box.remove(); }, 2500);
    });
    return b;
  }

  function cap(s) { return s[0].toUpperCase() + s.slice(1); }
})();
