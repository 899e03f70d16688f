/* The home-visit form: add and remove members, groups that follow the village,
   amount boxes that select their 0 on entry. */
(function () {
  var members = document.getElementById("members");
  var total = document.getElementById("id_m-TOTAL_FORMS");
  function renumber() {
    members.querySelectorAll("[data-member] .member-no").forEach(function (el, i) { el.textContent = i + 1; });
  }
  document.getElementById("add-member").addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = document.getElementById("member-template").innerHTML.replace(/__prefix__/g, index);
    members.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    renumber();
    var added = members.lastElementChild;
    added.scrollIntoView({block: "start"});
    var first = added.querySelector("select, input:not([type=hidden])");
    if (first) { first.focus({preventScroll: true}); }
  });
  // A removed new member keeps its form index but only says "delete me", so Django
  // neither validates nor saves it.
  members.addEventListener("click", function (event) {
    if (!event.target.classList.contains("remove-member")) { return; }
    var box = event.target.closest("[data-member]");
    var prefix = box.querySelector("[name$='-name']").name.replace(/-name$/, "");
    var flag = document.createElement("input");
    flag.type = "hidden"; flag.name = prefix + "-DELETE"; flag.value = "on";
    box.replaceChildren(flag);
    box.hidden = true;
    box.removeAttribute("data-member");
    renumber();
  });
  // Groups follow the chosen village (a group code starts with its village code).
  var village = document.getElementById("id_village");
  var group = document.getElementById("id_group");
  if (village && group) {
    var all = Array.prototype.slice.call(group.options).map(function (o) { return [o.value, o.text]; });
    function filterGroups() {
      var keep = group.value;
      group.innerHTML = "";
      all.forEach(function (pair) {
        if (pair[0] === "" || (village.value && pair[0].indexOf(village.value) === 0)) {
          group.add(new Option(pair[1], pair[0], false, pair[0] === keep));
        }
      });
    }
    village.addEventListener("change", filterGroups);
    filterGroups();
  }
  // Amount boxes start at 0: select it on entry so typing replaces it.
  document.querySelector("form.visit").addEventListener("focusin", function (event) {
    var el = event.target;
    if (el.type === "number" && Number(el.value) === 0) { el.select(); }
  });
})();
