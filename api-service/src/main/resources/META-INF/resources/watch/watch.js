// The share page and embed player. No inline script: everything the page needs arrives in
// data-* attributes of #player or from /s/{code}/video and /s/{code}/events. User text is only
// ever written with textContent.
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) return;
  var video = document.getElementById("video");
  var code = player.dataset.code;
  var base = "/s/" + encodeURIComponent(code);

  function show(el, on) { if (el) el.classList.toggle("hidden", !on); }

  function playerError(message) {
    var el = document.getElementById("player-error");
    el.textContent = message;
    show(el, true);
  }

  function qualitySwitcher(hls) {
    var label = document.getElementById("quality");
    var select = document.getElementById("quality-select");
    select.textContent = "";
    var auto = document.createElement("option");
    auto.value = "-1";
    auto.textContent = "Auto";
    select.appendChild(auto);
    hls.levels.forEach(function (level, i) {
      var o = document.createElement("option");
      o.value = String(i);
      o.textContent = (level.height ? level.height + "p" : Math.round(level.bitrate / 1000) + " kb/s");
      select.appendChild(o);
    });
    select.addEventListener("change", function () { hls.currentLevel = Number(select.value); });
    player.dataset.levels = String(hls.levels.length);
    show(label, hls.levels.length > 1);
  }

  // HLS when the video has a playlist: hls.js wherever Media Source Extensions exist, the
  // browser's own HLS where they do not (iOS Safari); the MP4 otherwise, and as the fallback
  // when HLS fails.
  function attach(mp4, hlsUrl) {
    show(document.getElementById("quality"), false);
    // The link's playlists on this page's own origin, whatever public address the API was told:
    // the page may be reached through another host name or port than capstan.public-base-url.
    if (hlsUrl) hlsUrl = base + "/hls/master.m3u8";
    if (hlsUrl && window.Hls && window.Hls.isSupported()) {
      // startPosition 0: a playable video's playlists are EVENT playlists still growing, which
      // hls.js would otherwise join at the live edge; viewers start at the beginning.
      var hls = new window.Hls({ enableWorker: false, startPosition: 0 });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () { qualitySwitcher(hls); });
      player.dataset.engine = "hls.js";
      hls.on(window.Hls.Events.ERROR, function (_e, data) {
        if (data.fatal) {
          player.dataset.engine = "mp4 (hls.js failed: " + data.type + "/" + data.details + ")";
          if (mp4) { hls.destroy(); video.src = mp4; } else { playerError("The video could not be played."); }
        }
      });
      hls.loadSource(hlsUrl);
      hls.attachMedia(video);
    } else if (hlsUrl && video.canPlayType("application/vnd.apple.mpegurl")) {
      player.dataset.engine = "native";
      video.addEventListener("error", function fallback() {
        video.removeEventListener("error", fallback);
        if (mp4) { video.src = mp4; }
      });
      video.src = hlsUrl;
    } else if (mp4) {
      player.dataset.engine = "mp4";
      video.src = mp4;
    } else {
      playerError("This video has nothing to play yet.");
      return;
    }
    player.dataset.status = "ready";
    player.dataset.attached = "true";
    storyboard();
  }

  // Scrubbing previews: the storyboard's WebVTT cues ("start --> end" then "sheet#xywh=x,y,w,h")
  // drive a strip under the player; hovering shows that moment's tile of the sprite sheet,
  // clicking seeks there. No storyboard (404, old video): no strip.
  function parseTime(t) {
    var p = t.trim().split(":").map(Number);
    return p.length === 3 ? p[0] * 3600 + p[1] * 60 + p[2] : p[0] * 60 + p[1];
  }

  function parseCues(text) {
    var cues = [];
    var lines = text.split(/\r?\n/);
    for (var i = 0; i < lines.length - 1; i++) {
      var arrow = lines[i].indexOf("-->");
      if (arrow < 0) continue;
      var m = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(lines[i + 1].trim());
      if (!m) continue;
      cues.push({ start: parseTime(lines[i].slice(0, arrow)), end: parseTime(lines[i].slice(arrow + 3)),
        url: m[1], x: +m[2], y: +m[3], w: +m[4], h: +m[5] });
    }
    return cues;
  }

  function storyboard() {
    var strip = document.getElementById("scrub");
    var thumb = document.getElementById("scrub-thumb");
    var label = document.getElementById("scrub-time");
    if (!strip || player.dataset.storyboard) return;
    player.dataset.storyboard = "loading";
    fetch(base + "/storyboard.vtt", { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (text) {
        var cues = parseCues(text);
        if (!cues.length) throw new Error("no cues");
        var total = cues[cues.length - 1].end;
        function at(e) {
          var box = strip.getBoundingClientRect();
          var f = Math.min(1, Math.max(0, (e.clientX - box.left) / box.width));
          return { t: f * (video.duration || total), left: e.clientX - box.left, width: box.width };
        }
        strip.addEventListener("mousemove", function (e) {
          var p = at(e);
          var cue = cues.find(function (c) { return p.t >= c.start && p.t < c.end; }) || cues[cues.length - 1];
          thumb.style.width = cue.w + "px";
          thumb.style.height = cue.h + "px";
          thumb.style.backgroundImage = "url(\"" + cue.url + "\")";
          thumb.style.backgroundPosition = -cue.x + "px " + -cue.y + "px";
          thumb.style.left = Math.min(Math.max(0, p.left - cue.w / 2), Math.max(0, p.width - cue.w)) + "px";
          thumb.dataset.cueStart = String(cue.start);
          var s = Math.floor(p.t);
          label.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
          show(thumb, true);
        });
        strip.addEventListener("mouseleave", function () { show(thumb, false); });
        strip.addEventListener("click", function (e) { video.currentTime = at(e).t; });
        show(strip, true);
        player.dataset.storyboard = "ready";
      })
      .catch(function () { player.dataset.storyboard = "none"; });
  }

  function becameReady() {
    fetch(base + "/video", { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (v) {
        if (v.posterUrl) video.poster = v.posterUrl;
        show(document.getElementById("processing"), false);
        attach(v.mp4, v.hls);
      })
      .catch(function () { playerError("The video is ready, but could not be loaded. Reload the page."); });
  }

  function follow() {
    var events = new EventSource(base + "/events");
    var progress = document.getElementById("progress");
    var percent = document.getElementById("percent");
    var stage = document.getElementById("stage");
    events.addEventListener("video.progress", function (e) {
      var d = JSON.parse(e.data);
      if (typeof d.percent === "number") {
        progress.value = d.percent;
        percent.textContent = d.percent + "%";
      }
      stage.textContent = d.stage ? " (" + d.stage + ")" : "";
    });
    // Playable: the first segments are published and the playlists grow while the rest is
    // encoded; hls.js follows a growing (EVENT) playlist until it ends. Ready: the same playlists,
    // complete. Attach on whichever comes first.
    events.addEventListener("video.playable", function () { events.close(); becameReady(); });
    events.addEventListener("video.ready", function () { events.close(); becameReady(); });
    events.addEventListener("video.failed", function () {
      events.close();
      show(document.getElementById("processing"), false);
      show(document.getElementById("failed"), true);
    });
  }

  var status = player.dataset.status;
  if (status === "ready" || status === "playable") {
    attach(player.dataset.mp4, player.dataset.hls);
  } else if (status !== "failed") {
    follow();
  }

  // Comments: a session token from the login API, kept in sessionStorage (this tab only).
  var signIn = document.getElementById("sign-in");
  var box = document.getElementById("comment-box");
  if (!signIn || !box) return;
  var TOKEN = "capstan.token";

  function signedIn(on) { show(signIn, !on); show(box, on); }
  signedIn(!!sessionStorage.getItem(TOKEN));

  signIn.addEventListener("submit", function (e) {
    e.preventDefault();
    var err = document.getElementById("sign-in-error");
    err.textContent = "";
    fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: signIn.elements.email.value, password: signIn.elements.password.value })
    })
      .then(function (r) { if (!r.ok) throw new Error("login"); return r.json(); })
      .then(function (body) { sessionStorage.setItem(TOKEN, body.token); signIn.reset(); signedIn(true); })
      .catch(function () { err.textContent = "Email or password is not right."; });
  });

  document.getElementById("sign-out").addEventListener("click", function () {
    sessionStorage.removeItem(TOKEN);
    signedIn(false);
  });

  box.addEventListener("submit", function (e) {
    e.preventDefault();
    var err = document.getElementById("comment-error");
    err.textContent = "";
    fetch(base + "/comments", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + sessionStorage.getItem(TOKEN) },
      body: JSON.stringify({ body: box.elements.body.value, timestampSeconds: video.currentTime || null })
    })
      .then(function (r) {
        if (r.status === 401) { sessionStorage.removeItem(TOKEN); signedIn(false); throw new Error("signed out"); }
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (c) {
        var li = document.createElement("li");
        li.className = "comment";
        var author = document.createElement("span");
        author.className = "author";
        author.textContent = c.author && c.author.name ? c.author.name : "You";
        var text = document.createElement("span");
        text.className = "body";
        text.textContent = c.body;
        li.appendChild(author);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(text);
        document.getElementById("comment-list").appendChild(li);
        show(document.getElementById("no-comments"), false);
        box.reset();
      })
      .catch(function () { err.textContent = "The comment was not posted."; });
  });
})();
