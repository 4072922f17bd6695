/* ssch-plan-card 0.1.0 source-sha256 bfeb5fef9979ed4f08302baea8321c381da34f2d6bca69fa483e12c00a42858f */
var Ke=Object.defineProperty;var Ve=(i,e,t)=>e in i?Ke(i,e,{enumerable:!0,configurable:!0,writable:!0,value:t}):i[e]=t;var m=(i,e,t)=>Ve(i,typeof e!="symbol"?e+"":e,t);var V=globalThis,F=V.ShadowRoot&&(V.ShadyCSS===void 0||V.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,te=Symbol(),me=new WeakMap,N=class{constructor(e,t,r){if(this._$cssResult$=!0,r!==te)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(F&&e===void 0){let r=t!==void 0&&t.length===1;r&&(e=me.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),r&&me.set(t,e))}return e}toString(){return this.cssText}},fe=i=>new N(typeof i=="string"?i:i+"",void 0,te),v=(i,...e)=>{let t=i.length===1?i[0]:e.reduce((r,s,o)=>r+(a=>{if(a._$cssResult$===!0)return a.cssText;if(typeof a=="number")return a;throw Error("Value passed to 'css' function must be a 'css' function result: "+a+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(s)+i[o+1],i[0]);return new N(t,i,te)},_e=(i,e)=>{if(F)i.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let r=document.createElement("style"),s=V.litNonce;s!==void 0&&r.setAttribute("nonce",s),r.textContent=t.cssText,i.appendChild(r)}},re=F?i=>i:i=>i instanceof CSSStyleSheet?(e=>{let t="";for(let r of e.cssRules)t+=r.cssText;return fe(t)})(i):i;var{is:Fe,defineProperty:We,getOwnPropertyDescriptor:Ze,getOwnPropertyNames:Ge,getOwnPropertySymbols:qe,getPrototypeOf:Je}=Object,W=globalThis,be=W.trustedTypes,Qe=be?be.emptyScript:"",Xe=W.reactiveElementPolyfillSupport,D=(i,e)=>i,se={toAttribute(i,e){switch(e){case Boolean:i=i?Qe:null;break;case Object:case Array:i=i==null?i:JSON.stringify(i)}return i},fromAttribute(i,e){let t=i;switch(e){case Boolean:t=i!==null;break;case Number:t=i===null?null:Number(i);break;case Object:case Array:try{t=JSON.parse(i)}catch{t=null}}return t}},ve=(i,e)=>!Fe(i,e),ye={attribute:!0,type:String,converter:se,reflect:!1,useDefault:!1,hasChanged:ve};Symbol.metadata??=Symbol("metadata"),W.litPropertyMetadata??=new WeakMap;var $=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=ye){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let r=Symbol(),s=this.getPropertyDescriptor(e,r,t);s!==void 0&&We(this.prototype,e,s)}}static getPropertyDescriptor(e,t,r){let{get:s,set:o}=Ze(this.prototype,e)??{get(){return this[t]},set(a){this[t]=a}};return{get:s,set(a){let l=s?.call(this);o?.call(this,a),this.requestUpdate(e,l,r)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??ye}static _$Ei(){if(this.hasOwnProperty(D("elementProperties")))return;let e=Je(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(D("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(D("properties"))){let t=this.properties,r=[...Ge(t),...qe(t)];for(let s of r)this.createProperty(s,t[s])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[r,s]of t)this.elementProperties.set(r,s)}this._$Eh=new Map;for(let[t,r]of this.elementProperties){let s=this._$Eu(t,r);s!==void 0&&this._$Eh.set(s,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let r=new Set(e.flat(1/0).reverse());for(let s of r)t.unshift(re(s))}else e!==void 0&&t.push(re(e));return t}static _$Eu(e,t){let r=t.attribute;return r===!1?void 0:typeof r=="string"?r:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let r of t.keys())this.hasOwnProperty(r)&&(e.set(r,this[r]),delete this[r]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return _e(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,r){this._$AK(e,r)}_$ET(e,t){let r=this.constructor.elementProperties.get(e),s=this.constructor._$Eu(e,r);if(s!==void 0&&r.reflect===!0){let o=(r.converter?.toAttribute!==void 0?r.converter:se).toAttribute(t,r.type);this._$Em=e,o==null?this.removeAttribute(s):this.setAttribute(s,o),this._$Em=null}}_$AK(e,t){let r=this.constructor,s=r._$Eh.get(e);if(s!==void 0&&this._$Em!==s){let o=r.getPropertyOptions(s),a=typeof o.converter=="function"?{fromAttribute:o.converter}:o.converter?.fromAttribute!==void 0?o.converter:se;this._$Em=s;let l=a.fromAttribute(t,o.type);this[s]=l??this._$Ej?.get(s)??l,this._$Em=null}}requestUpdate(e,t,r,s=!1,o){if(e!==void 0){let a=this.constructor;if(s===!1&&(o=this[e]),r??=a.getPropertyOptions(e),!((r.hasChanged??ve)(o,t)||r.useDefault&&r.reflect&&o===this._$Ej?.get(e)&&!this.hasAttribute(a._$Eu(e,r))))return;this.C(e,t,r)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:r,reflect:s,wrapped:o},a){r&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,a??t??this[e]),o!==!0||a!==void 0)||(this._$AL.has(e)||(this.hasUpdated||r||(t=void 0),this._$AL.set(e,t)),s===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[s,o]of this._$Ep)this[s]=o;this._$Ep=void 0}let r=this.constructor.elementProperties;if(r.size>0)for(let[s,o]of r){let{wrapped:a}=o,l=this[s];a!==!0||this._$AL.has(s)||l===void 0||this.C(s,void 0,o,l)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(r=>r.hostUpdate?.()),this.update(t)):this._$EM()}catch(r){throw e=!1,this._$EM(),r}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};$.elementStyles=[],$.shadowRootOptions={mode:"open"},$[D("elementProperties")]=new Map,$[D("finalized")]=new Map,Xe?.({ReactiveElement:$}),(W.reactiveElementVersions??=[]).push("2.1.2");var de=globalThis,$e=i=>i,Z=de.trustedTypes,we=Z?Z.createPolicy("lit-html",{createHTML:i=>i}):void 0,Ce="$lit$",w=`lit$${Math.random().toFixed(9).slice(2)}$`,He="?"+w,Ye=`<${He}>`,S=document,O=()=>S.createComment(""),U=i=>i===null||typeof i!="object"&&typeof i!="function",he=Array.isArray,et=i=>he(i)||typeof i?.[Symbol.iterator]=="function",ie=`[ 	
\f\r]`,R=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,ke=/-->/g,xe=/>/g,x=RegExp(`>|${ie}(?:([^\\s"'>=/]+)(${ie}*=${ie}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Ae=/'/g,Se=/"/g,Te=/^(?:script|style|textarea|title)$/i,pe=i=>(e,...t)=>({_$litType$:i,strings:e,values:t}),h=pe(1),C=pe(2),vt=pe(3),E=Symbol.for("lit-noChange"),d=Symbol.for("lit-nothing"),Ee=new WeakMap,A=S.createTreeWalker(S,129);function Pe(i,e){if(!he(i)||!i.hasOwnProperty("raw"))throw Error("invalid template strings array");return we!==void 0?we.createHTML(e):e}var tt=(i,e)=>{let t=i.length-1,r=[],s,o=e===2?"<svg>":e===3?"<math>":"",a=R;for(let l=0;l<t;l++){let n=i[l],p,u,c=-1,f=0;for(;f<n.length&&(a.lastIndex=f,u=a.exec(n),u!==null);)f=a.lastIndex,a===R?u[1]==="!--"?a=ke:u[1]!==void 0?a=xe:u[2]!==void 0?(Te.test(u[2])&&(s=RegExp("</"+u[2],"g")),a=x):u[3]!==void 0&&(a=x):a===x?u[0]===">"?(a=s??R,c=-1):u[1]===void 0?c=-2:(c=a.lastIndex-u[2].length,p=u[1],a=u[3]===void 0?x:u[3]==='"'?Se:Ae):a===Se||a===Ae?a=x:a===ke||a===xe?a=R:(a=x,s=void 0);let g=a===x&&i[l+1].startsWith("/>")?" ":"";o+=a===R?n+Ye:c>=0?(r.push(p),n.slice(0,c)+Ce+n.slice(c)+w+g):n+w+(c===-2?l:g)}return[Pe(i,o+(i[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),r]},j=class i{constructor({strings:e,_$litType$:t},r){let s;this.parts=[];let o=0,a=0,l=e.length-1,n=this.parts,[p,u]=tt(e,t);if(this.el=i.createElement(p,r),A.currentNode=this.el.content,t===2||t===3){let c=this.el.content.firstChild;c.replaceWith(...c.childNodes)}for(;(s=A.nextNode())!==null&&n.length<l;){if(s.nodeType===1){if(s.hasAttributes())for(let c of s.getAttributeNames())if(c.endsWith(Ce)){let f=u[a++],g=s.getAttribute(c).split(w),K=/([.?@])?(.*)/.exec(f);n.push({type:1,index:o,name:K[2],strings:g,ctor:K[1]==="."?ae:K[1]==="?"?ne:K[1]==="@"?le:T}),s.removeAttribute(c)}else c.startsWith(w)&&(n.push({type:6,index:o}),s.removeAttribute(c));if(Te.test(s.tagName)){let c=s.textContent.split(w),f=c.length-1;if(f>0){s.textContent=Z?Z.emptyScript:"";for(let g=0;g<f;g++)s.append(c[g],O()),A.nextNode(),n.push({type:2,index:++o});s.append(c[f],O())}}}else if(s.nodeType===8)if(s.data===He)n.push({type:2,index:o});else{let c=-1;for(;(c=s.data.indexOf(w,c+1))!==-1;)n.push({type:7,index:o}),c+=w.length-1}o++}}static createElement(e,t){let r=S.createElement("template");return r.innerHTML=e,r}};function H(i,e,t=i,r){if(e===E)return e;let s=r!==void 0?t._$Co?.[r]:t._$Cl,o=U(e)?void 0:e._$litDirective$;return s?.constructor!==o&&(s?._$AO?.(!1),o===void 0?s=void 0:(s=new o(i),s._$AT(i,t,r)),r!==void 0?(t._$Co??=[])[r]=s:t._$Cl=s),s!==void 0&&(e=H(i,s._$AS(i,e.values),s,r)),e}var oe=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:r}=this._$AD,s=(e?.creationScope??S).importNode(t,!0);A.currentNode=s;let o=A.nextNode(),a=0,l=0,n=r[0];for(;n!==void 0;){if(a===n.index){let p;n.type===2?p=new I(o,o.nextSibling,this,e):n.type===1?p=new n.ctor(o,n.name,n.strings,this,e):n.type===6&&(p=new ce(o,this,e)),this._$AV.push(p),n=r[++l]}a!==n?.index&&(o=A.nextNode(),a++)}return A.currentNode=S,s}p(e){let t=0;for(let r of this._$AV)r!==void 0&&(r.strings!==void 0?(r._$AI(e,r,t),t+=r.strings.length-2):r._$AI(e[t])),t++}},I=class i{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,r,s){this.type=2,this._$AH=d,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=r,this.options=s,this._$Cv=s?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=H(this,e,t),U(e)?e===d||e==null||e===""?(this._$AH!==d&&this._$AR(),this._$AH=d):e!==this._$AH&&e!==E&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):et(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==d&&U(this._$AH)?this._$AA.nextSibling.data=e:this.T(S.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:r}=e,s=typeof r=="number"?this._$AC(e):(r.el===void 0&&(r.el=j.createElement(Pe(r.h,r.h[0]),this.options)),r);if(this._$AH?._$AD===s)this._$AH.p(t);else{let o=new oe(s,this),a=o.u(this.options);o.p(t),this.T(a),this._$AH=o}}_$AC(e){let t=Ee.get(e.strings);return t===void 0&&Ee.set(e.strings,t=new j(e)),t}k(e){he(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,r,s=0;for(let o of e)s===t.length?t.push(r=new i(this.O(O()),this.O(O()),this,this.options)):r=t[s],r._$AI(o),s++;s<t.length&&(this._$AR(r&&r._$AB.nextSibling,s),t.length=s)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let r=$e(e).nextSibling;$e(e).remove(),e=r}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},T=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,r,s,o){this.type=1,this._$AH=d,this._$AN=void 0,this.element=e,this.name=t,this._$AM=s,this.options=o,r.length>2||r[0]!==""||r[1]!==""?(this._$AH=Array(r.length-1).fill(new String),this.strings=r):this._$AH=d}_$AI(e,t=this,r,s){let o=this.strings,a=!1;if(o===void 0)e=H(this,e,t,0),a=!U(e)||e!==this._$AH&&e!==E,a&&(this._$AH=e);else{let l=e,n,p;for(e=o[0],n=0;n<o.length-1;n++)p=H(this,l[r+n],t,n),p===E&&(p=this._$AH[n]),a||=!U(p)||p!==this._$AH[n],p===d?e=d:e!==d&&(e+=(p??"")+o[n+1]),this._$AH[n]=p}a&&!s&&this.j(e)}j(e){e===d?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},ae=class extends T{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===d?void 0:e}},ne=class extends T{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==d)}},le=class extends T{constructor(e,t,r,s,o){super(e,t,r,s,o),this.type=5}_$AI(e,t=this){if((e=H(this,e,t,0)??d)===E)return;let r=this._$AH,s=e===d&&r!==d||e.capture!==r.capture||e.once!==r.once||e.passive!==r.passive,o=e!==d&&(r===d||s);s&&this.element.removeEventListener(this.name,this,r),o&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},ce=class{constructor(e,t,r){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=r}get _$AU(){return this._$AM._$AU}_$AI(e){H(this,e)}};var rt=de.litHtmlPolyfillSupport;rt?.(j,I),(de.litHtmlVersions??=[]).push("3.3.3");var Le=(i,e,t)=>{let r=t?.renderBefore??e,s=r._$litPart$;if(s===void 0){let o=t?.renderBefore??null;r._$litPart$=s=new I(e.insertBefore(O(),o),o,void 0,t??{})}return s._$AI(i),s};var ue=globalThis,_=class extends ${constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Le(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return E}};_._$litElement$=!0,_.finalized=!0,ue.litElementHydrateSupport?.({LitElement:_});var st=ue.litElementPolyfillSupport;st?.({LitElement:_});(ue.litElementVersions??=[]).push("4.2.2");function B(i){return i?.locale?.time_zone==="server"?i.config.time_zone:void 0}function ge(i){return i?.locale?.language??i?.language??"en"}function q(i,e){let t=typeof e=="string"?new Date(e):e;return Number.isNaN(t.getTime())?"–":new Intl.DateTimeFormat(ge(i),{hour:"2-digit",minute:"2-digit",timeZone:B(i)}).format(t)}function ze(i,e){let t=new Date(e);return Number.isNaN(t.getTime())?"–":new Intl.DateTimeFormat(ge(i),{weekday:"short",hour:"2-digit",minute:"2-digit",timeZone:B(i)}).format(t)}function b(i,e,t=1){if(e===void 0||!Number.isFinite(e))return"–";let r=Math.abs(e)<.5*10**-t?0:e;return new Intl.NumberFormat(ge(i),{minimumFractionDigits:t,maximumFractionDigits:t}).format(r)}function Me(i,e){let t=new Intl.DateTimeFormat("en-US",{timeZone:e,hourCycle:"h23",year:"numeric",month:"2-digit",day:"2-digit",hour:"2-digit",minute:"2-digit",second:"2-digit"}).formatToParts(i),r={};for(let s of t)s.type!=="literal"&&(r[s.type]=Number(s.value));return r}var G=i=>String(i).padStart(2,"0");function Ne(i,e){let t=new Date(i);if(Number.isNaN(t.getTime()))return"";let r=Me(t,e);return`${r.year}-${G(r.month)}-${G(r.day)}T${G(r.hour)}:${G(r.minute)}`}function De(i,e){let t=/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(i);if(!t)return;let[r,s,o,a,l]=t.slice(1).map(Number),n=Date.UTC(r,s-1,o,a,l),p=n;for(let u=0;u<2;u+=1){let c=Me(new Date(p),e),f=Date.UTC(c.year,c.month-1,c.day,c.hour,c.minute,c.second);p=n-(f-p)}return new Date(p)}var k=10,J=100;function it(i){return i.filter(e=>Number.isFinite(e))}var P=class extends _{constructor(){super(),this.label="",this.times=[],this.series=[],this.cursor=0,this.height=80}get steps(){return this.times.length}scale(){let e=it(this.series.filter(o=>!o.percent).flatMap(o=>o.values)),t=Math.min(0,...e),r=Math.max(0,...e);r-t<1e-9&&(r=t+1);let s=(r-t)*.06;return t<0&&(t-=s),r+=s,{low:t,high:r}}y(e,t,r,s){let[o,a]=t?[0,100]:[r,s],l=Math.min(Math.max(e,o),a);return J-(l-o)/(a-o)*J}draw(e,t,r){let s=e.values.slice(0,this.steps);if(!s.length)return d;let o=p=>this.y(Number.isFinite(p)?p:0,e.percent,t,r),a=o(0),l=e.dashed?"4 3":"none";if(e.kind==="bars")return C`<g class="series" data-series=${e.id} fill=${e.color}>${s.map((p,u)=>{let c=Math.min(o(p),a);return C`<rect x=${u*k+1} width=${k-2} y=${c} height=${Math.abs(o(p)-a)}></rect>`})}</g>`;if(e.kind==="line"){let p=s.map((u,c)=>`${c*k+k/2},${o(u)}`).join(" ");return C`<polyline class="series" data-series=${e.id} points=${p} fill="none"
        stroke=${e.color} stroke-width="2" stroke-dasharray=${l} vector-effect="non-scaling-stroke"></polyline>`}let n=s.map((p,u)=>`${u?"V":"M0,"}${o(p)}H${(u+1)*k}`).join("");return e.kind==="area"?C`<path class="series" data-series=${e.id} d=${`${n}V${a}H0Z`}
        fill=${e.color} fill-opacity="0.35" stroke=${e.color} stroke-width="1.5" vector-effect="non-scaling-stroke"></path>`:C`<path class="series" data-series=${e.id} d=${n} fill="none" stroke=${e.color}
      stroke-width="2" stroke-dasharray=${l} vector-effect="non-scaling-stroke"></path>`}pick(e){let t=e.currentTarget.getBoundingClientRect();if(!t.width||!this.steps)return;let r=Math.floor((e.clientX-t.left)/t.width*this.steps),s=Math.min(Math.max(r,0),this.steps-1);this.dispatchEvent(new CustomEvent("cursor-changed",{detail:{index:s},bubbles:!0,composed:!0}))}ticks(){let e=this.steps;if(e<2)return[];let t=Math.max(1,Math.round(e/4)),r=[];for(let s=0;s<e;s+=t)r.push({left:s/e*100,text:q(this.hass,this.times[s])});return r}render(){let{low:e,high:t}=this.scale(),r=Math.max(this.steps,1)*k,s=Math.min(Math.max(this.cursor,0),Math.max(this.steps-1,0)),o=e<0,a=this.series.find(l=>!l.percent);return h`
      <div class="head">
        <span class="label">${this.label}</span>
        <span class="legend">
          ${this.series.filter(l=>!l.quiet).map(l=>h`<span class="item" data-series=${l.id}
              ><i style="background:${l.color}"></i>${l.label}
              <b>${l.format(l.values[s]??Number.NaN)}</b></span
            >`)}
        </span>
      </div>
      <div class="plot" style="height:${this.height}px" @pointermove=${this.pick} @pointerdown=${this.pick}>
        <svg viewBox="0 0 ${r} ${J}" preserveAspectRatio="none" role="img" aria-label=${this.label}>
          ${o?C`<line class="zero" x1="0" x2=${r} y1=${this.y(0,!1,e,t)} y2=${this.y(0,!1,e,t)} vector-effect="non-scaling-stroke"></line>`:d}
          ${this.series.map(l=>this.draw(l,e,t))}
          <rect class="cursor" x=${s*k} width=${k} y="0" height=${J}></rect>
        </svg>
        ${a?h`<span class="axis top">${a.format(t)}</span>${o?h`<span class="axis bottom">${a.format(e)}</span>`:d}`:d}
      </div>
      <div class="ticks">${this.ticks().map(l=>h`<span style="left:${l.left}%">${l.text}</span>`)}</div>
    `}};m(P,"properties",{hass:{attribute:!1},label:{type:String},times:{attribute:!1},series:{attribute:!1},cursor:{type:Number},height:{type:Number}}),m(P,"styles",v`
    :host {
      display: block;
      margin: 8px 0 4px;
    }
    .head {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 2px 10px;
      font-size: 12px;
      color: var(--secondary-text-color);
    }
    .label {
      font-weight: 500;
      color: var(--primary-text-color);
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 10px;
    }
    .item i {
      display: inline-block;
      width: 8px;
      height: 8px;
      border-radius: 2px;
      margin-right: 4px;
    }
    .item b {
      font-weight: 500;
      color: var(--primary-text-color);
      font-variant-numeric: tabular-nums;
    }
    .plot {
      position: relative;
      touch-action: pan-y;
      cursor: crosshair;
      border-bottom: 1px solid var(--divider-color);
    }
    svg {
      display: block;
      width: 100%;
      height: 100%;
      overflow: visible;
    }
    .zero {
      stroke: var(--divider-color);
      stroke-width: 1;
    }
    .cursor {
      fill: var(--primary-text-color);
      fill-opacity: 0.08;
      stroke: var(--primary-text-color);
      stroke-opacity: 0.3;
      stroke-width: 1;
      vector-effect: non-scaling-stroke;
    }
    .axis {
      position: absolute;
      left: 2px;
      font-size: 10px;
      color: var(--secondary-text-color);
      background: color-mix(in srgb, var(--card-background-color, #fff) 70%, transparent);
      pointer-events: none;
    }
    .axis.top {
      top: 0;
    }
    .axis.bottom {
      bottom: 0;
    }
    .ticks {
      position: relative;
      height: 14px;
      font-size: 10px;
      color: var(--secondary-text-color);
    }
    .ticks span {
      position: absolute;
      top: 1px;
      white-space: nowrap;
    }
  `);var Re={"card.name":"Opladningsplan","card.description":"Ladehubbens plan for de næste timer: priser, net, sol, batteri og hver bil.","card.title":"Opladningsplan","state.loading":"Indlæser planen …","state.no_hub":"Der er ingen ladehub sat op. Tilføj først integrationen Super Smart Charging Hub.","state.not_loaded":"Hubbens plan er ikke tilgængelig: {error}","state.no_chargers":"Denne hub har endnu ingen ladestandere. Tilføj en på hubbens integrationsside.","state.no_plan":"Ingen plan endnu: hubben laver sin første plan, når dens kilder melder værdier.","state.mode_off":"Hubben er slukket: ladestanderne får ingen sætpunkter. Planen vises til orientering.","state.mode_advisory":"Rådgivende tilstand: planen vises, men udføres ikke.","state.fallback":"Nødplan i brug: {reason}","state.degraded":"Begrænset: {reason}","state.no_cars":"Ingen bil er tilsluttet.","state.free":"Ledige: {names}","state.offline":"Offline: {names}","chart.price":"Købspris","chart.grid":"Net","chart.solar":"Sol","chart.battery":"Batteri","series.import_price":"Købspris","series.export_price":"Salgspris","series.import":"Køb","series.export":"Salg","series.limit":"Grænse","series.billed_peak":"Afregnet spidslast","series.pv":"Solcelleprognose","series.curtailment":"Nedreguleret","series.battery_power":"Batterieffekt","series.battery_soc":"Batteriladning","series.car_power":"Planlagt effekt","readout.at":"Kl. {time}","car.ready_at":"Klar kl. {time}","car.ready_now":"Klar: målet er nået","car.at_risk":"I fare: {reason}","car.at_risk_unknown":"målet kan ikke nås før afgang","car.departure":"Afgang","car.target":"Mål","car.mode":"Tilstand","car.expected":"{expected} % ved afgang (mål {target} %)","car.now":"nu {soc} %","car.no_soc":"Bilen melder ikke sin ladetilstand: anslået ud fra, hvad den har fået siden tilslutning.","car.no_energy_promised":"I denne tilstand loves ingen energi.","car.no_goal_entities":"Dette ladepunkts mål-entiteter er deaktiveret eller mangler.","car.edit_failed":"Ændringen blev afvist: {error}","mode.smart":"Smart","mode.fast":"Hurtig","mode.solar_only":"Kun sol","mode.off":"Slukket","editor.hub":"Ladehub","editor.title":"Titel (valgfri)","editor.only_hub":"Den eneste hub","editor.no_hubs":"Der er endnu ingen ladehub sat op.","strategy.overview":"Oversigt","strategy.chargers":"Ladestandere","strategy.hub":"Hub","strategy.site":"Anlæg","strategy.key_figures":"Nøgletal","strategy.bookings":"Bookinger","strategy.no_hub":"Der er ingen ladehub indlæst. Tilføj integrationen **Super Smart Charging Hub**, eller kontroller, at hubben er startet.","strategy.no_chargers":"Denne hub har endnu ingen ladestandere. Tilføj en på hubbens integrationsside."};var Oe={"card.name":"Ladeplan","card.description":"Der Plan des Lade-Hubs für die nächsten Stunden: Preise, Netz, Solar, Batterie und jedes Auto.","card.title":"Ladeplan","state.loading":"Plan wird geladen …","state.no_hub":"Es ist kein Lade-Hub eingerichtet. Füge zuerst die Integration Super Smart Charging Hub hinzu.","state.not_loaded":"Der Plan des Hubs ist nicht verfügbar: {error}","state.no_chargers":"Dieser Hub hat noch keine Ladestationen. Füge eine auf der Integrationsseite des Hubs hinzu.","state.no_plan":"Noch kein Plan: Der Hub erstellt seinen ersten Plan, sobald seine Quellen Werte liefern.","state.mode_off":"Der Hub ist aus: Ladestationen erhalten keine Sollwerte. Der Plan dient nur der Information.","state.mode_advisory":"Beratungsmodus: Der Plan wird angezeigt, aber nicht ausgeführt.","state.fallback":"Ersatzplan in Verwendung: {reason}","state.degraded":"Eingeschränkt: {reason}","state.no_cars":"Kein Auto ist angesteckt.","state.free":"Frei: {names}","state.offline":"Offline: {names}","chart.price":"Bezugspreis","chart.grid":"Netz","chart.solar":"Solar","chart.battery":"Batterie","series.import_price":"Bezugspreis","series.export_price":"Einspeisepreis","series.import":"Bezug","series.export":"Einspeisung","series.limit":"Grenze","series.billed_peak":"Abgerechnete Spitze","series.pv":"PV-Prognose","series.curtailment":"Abgeregelt","series.battery_power":"Batterieleistung","series.battery_soc":"Batterieladung","series.car_power":"Geplante Leistung","readout.at":"Um {time}","car.ready_at":"Fertig um {time}","car.ready_now":"Fertig: Ziel erreicht","car.at_risk":"Gefährdet: {reason}","car.at_risk_unknown":"das Ziel ist vor der Abfahrt nicht erreichbar","car.departure":"Abfahrt","car.target":"Ziel","car.mode":"Modus","car.expected":"{expected} % bei Abfahrt (Ziel {target} %)","car.now":"jetzt {soc} %","car.no_soc":"Das Auto meldet seinen Ladestand nicht: geschätzt aus der seit dem Anstecken geladenen Energie.","car.no_energy_promised":"In diesem Modus wird keine Energie zugesagt.","car.no_goal_entities":"Die Ziel-Entitäten dieses Ladepunkts sind deaktiviert oder fehlen.","car.edit_failed":"Die Änderung wurde abgelehnt: {error}","mode.smart":"Intelligent","mode.fast":"Schnell","mode.solar_only":"Nur Solar","mode.off":"Aus","editor.hub":"Lade-Hub","editor.title":"Titel (optional)","editor.only_hub":"Der einzige Hub","editor.no_hubs":"Es ist noch kein Lade-Hub eingerichtet.","strategy.overview":"Übersicht","strategy.chargers":"Ladestationen","strategy.hub":"Hub","strategy.site":"Standort","strategy.key_figures":"Kennzahlen","strategy.bookings":"Buchungen","strategy.no_hub":"Es ist kein Lade-Hub geladen. Füge die Integration **Super Smart Charging Hub** hinzu oder prüfe, ob der Hub gestartet ist.","strategy.no_chargers":"Dieser Hub hat noch keine Ladestationen. Füge eine auf der Integrationsseite des Hubs hinzu."};var Q={"card.name":"Charging plan","card.description":"The charging hub's plan for the next hours: prices, grid, solar, battery and every car.","card.title":"Charging plan","state.loading":"Loading the plan …","state.no_hub":"No charging hub is set up. Add the Super Smart Charging Hub integration first.","state.not_loaded":"The hub's plan is not available: {error}","state.no_chargers":"This hub has no chargers yet. Add one on the hub's integration page.","state.no_plan":"No plan yet: the hub makes its first plan once its sources report.","state.mode_off":"The hub is off: chargers get no setpoints. The plan is shown for information.","state.mode_advisory":"Advisory mode: the plan is shown but not applied.","state.fallback":"Fallback plan in use: {reason}","state.degraded":"Degraded: {reason}","state.no_cars":"No car is plugged in.","state.free":"Free: {names}","state.offline":"Offline: {names}","chart.price":"Import price","chart.grid":"Grid","chart.solar":"Solar","chart.battery":"Battery","series.import_price":"Import price","series.export_price":"Export price","series.import":"Import","series.export":"Export","series.limit":"Limit","series.billed_peak":"Billed peak","series.pv":"PV forecast","series.curtailment":"Curtailed","series.battery_power":"Battery power","series.battery_soc":"Battery charge","series.car_power":"Planned power","readout.at":"At {time}","car.ready_at":"Ready at {time}","car.ready_now":"Ready: target reached","car.at_risk":"At risk: {reason}","car.at_risk_unknown":"the target cannot be reached before departure","car.departure":"Departure","car.target":"Target","car.mode":"Mode","car.expected":"{expected} % at departure (target {target} %)","car.now":"now {soc} %","car.no_soc":"The car does not report its charge: estimated from what it took since plugging in.","car.no_energy_promised":"No energy promised in this mode.","car.no_goal_entities":"The goal entities of this EVSE are disabled or missing.","car.edit_failed":"The change was refused: {error}","mode.smart":"Smart","mode.fast":"Fast","mode.solar_only":"Solar only","mode.off":"Off","editor.hub":"Charging hub","editor.title":"Title (optional)","editor.only_hub":"The only hub","editor.no_hubs":"No charging hub is set up yet.","strategy.overview":"Overview","strategy.chargers":"Chargers","strategy.hub":"Hub","strategy.site":"Site","strategy.key_figures":"Key figures","strategy.bookings":"Bookings","strategy.no_hub":"No charging hub is loaded. Add the **Super Smart Charging Hub** integration, or check that its hub has started.","strategy.no_chargers":"This hub has no chargers yet. Add one on the hub's integration page."};var Ue={"card.name":"Laadplan","card.description":"Het plan van de laadhub voor de komende uren: prijzen, net, zon, batterij en elke auto.","card.title":"Laadplan","state.loading":"Plan laden …","state.no_hub":"Er is geen laadhub ingesteld. Voeg eerst de integratie Super Smart Charging Hub toe.","state.not_loaded":"Het plan van de hub is niet beschikbaar: {error}","state.no_chargers":"Deze hub heeft nog geen laadpalen. Voeg er een toe op de integratiepagina van de hub.","state.no_plan":"Nog geen plan: de hub maakt zijn eerste plan zodra zijn bronnen gegevens leveren.","state.mode_off":"De hub staat uit: laadpalen krijgen geen instelwaarden. Het plan is ter informatie.","state.mode_advisory":"Adviesmodus: het plan wordt getoond maar niet uitgevoerd.","state.fallback":"Noodplan in gebruik: {reason}","state.degraded":"Beperkt: {reason}","state.no_cars":"Er is geen auto aangesloten.","state.free":"Vrij: {names}","state.offline":"Offline: {names}","chart.price":"Inkoopprijs","chart.grid":"Net","chart.solar":"Zon","chart.battery":"Batterij","series.import_price":"Inkoopprijs","series.export_price":"Terugleverprijs","series.import":"Afname","series.export":"Teruglevering","series.limit":"Limiet","series.billed_peak":"Gefactureerde piek","series.pv":"PV-verwachting","series.curtailment":"Afgeregeld","series.battery_power":"Batterijvermogen","series.battery_soc":"Batterijlading","series.car_power":"Gepland vermogen","readout.at":"Om {time}","car.ready_at":"Klaar om {time}","car.ready_now":"Klaar: doel bereikt","car.at_risk":"In gevaar: {reason}","car.at_risk_unknown":"het doel is voor vertrek niet haalbaar","car.departure":"Vertrek","car.target":"Doel","car.mode":"Modus","car.expected":"{expected} % bij vertrek (doel {target} %)","car.now":"nu {soc} %","car.no_soc":"De auto meldt zijn laadtoestand niet: geschat uit wat hij sinds het aansluiten kreeg.","car.no_energy_promised":"In deze modus wordt geen energie beloofd.","car.no_goal_entities":"De doel-entiteiten van dit laadpunt zijn uitgeschakeld of ontbreken.","car.edit_failed":"De wijziging is geweigerd: {error}","mode.smart":"Slim","mode.fast":"Snel","mode.solar_only":"Alleen zon","mode.off":"Uit","editor.hub":"Laadhub","editor.title":"Titel (optioneel)","editor.only_hub":"De enige hub","editor.no_hubs":"Er is nog geen laadhub ingesteld.","strategy.overview":"Overzicht","strategy.chargers":"Laadpalen","strategy.hub":"Hub","strategy.site":"Locatie","strategy.key_figures":"Kerncijfers","strategy.bookings":"Reserveringen","strategy.no_hub":"Er is geen laadhub geladen. Voeg de integratie **Super Smart Charging Hub** toe, of controleer of de hub is gestart.","strategy.no_chargers":"Deze hub heeft nog geen laadpalen. Voeg er een toe op de integratiepagina van de hub."};var ot={en:Q,nl:Ue,de:Oe,da:Re};function y(i){let e=(i?.locale?.language??i?.language??"en").split("-")[0].toLowerCase(),t=ot[e]??Q;return(r,s={})=>(t[r]??Q[r]).replace(/\{(\w+)\}/g,(o,a)=>a in s?String(s[a]):o)}var L=class extends _{setConfig(e){this.config=e}updated(){this.hass&&this.hubs===void 0&&(this.hubs=[],this.hass.callWS({type:"config_entries/get",domain:"ssch"}).then(e=>this.hubs=e).catch(()=>this.hubs=[]))}changed(e){let t={...this.config??{type:"custom:ssch-plan-card"},...e};for(let r of Object.keys(e))t[r]||delete t[r];this.config=t,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:t},bubbles:!0,composed:!0}))}render(){let e=y(this.hass),t=this.hubs??[],r=this.config?.config_entry_id??"";return h`
      <label
        >${e("editor.hub")}
        <select class="hub" @change=${s=>this.changed({config_entry_id:s.target.value})}>
          <option value="" ?selected=${!r}>${e("editor.only_hub")}</option>
          ${t.map(s=>h`<option value=${s.entry_id} ?selected=${s.entry_id===r}>${s.title}</option>`)}
        </select>
      </label>
      ${this.hubs!==void 0&&!t.length?h`<div class="note">${e("editor.no_hubs")}</div>`:d}
      <label
        >${e("editor.title")}
        <input class="title" .value=${this.config?.title??""}
          @change=${s=>this.changed({title:s.target.value})} />
      </label>
    `}};m(L,"properties",{hass:{attribute:!1},config:{state:!0},hubs:{state:!0}}),m(L,"styles",v`
    label {
      display: flex;
      flex-direction: column;
      gap: 4px;
      margin-bottom: 12px;
      color: var(--secondary-text-color);
    }
    select,
    input {
      font: inherit;
      color: var(--primary-text-color);
      background: var(--card-background-color, transparent);
      border: 1px solid var(--divider-color);
      border-radius: 4px;
      padding: 8px;
      color-scheme: light dark;
    }
    .note {
      color: var(--secondary-text-color);
      margin-bottom: 12px;
    }
  `);var je=["smart","fast","solar_only","off"],z=class extends _{constructor(){super(),this.times=[],this.cursor=0,this.error=""}async call(e,t,r){this.error="";try{await this.hass?.callService(e,t,r),this.dispatchEvent(new CustomEvent("goal-changed",{bubbles:!0,composed:!0}))}catch(s){let o=s instanceof Error?s.message:String(s?.message??s);this.error=y(this.hass)("car.edit_failed",{error:o})}}setDeparture(e){let t=this.row?.entities.departure,r=De(e.target.value,B(this.hass));!t||!r||this.call("datetime","set_value",{entity_id:t,datetime:r.toISOString()})}setTarget(e){let t=this.row?.entities.target_soc,r=Number(e.target.value);!t||!Number.isFinite(r)||this.call("number","set_value",{entity_id:t,value:Math.min(Math.max(r,0),100)})}setMode(e){let t=this.row?.entities.charge_mode,r=e.target.value;t&&this.call("select","select_option",{entity_id:t,option:r})}outlook(e,t,r){if(t==="solar_only"||t==="off")return h`<div class="outlook neutral">${r("car.no_energy_promised")}</div>`;if(e.at_risk)return h`<div class="outlook risk">
        <ha-icon icon="mdi:alert"></ha-icon>${r("car.at_risk",{reason:e.reason||r("car.at_risk_unknown")})}
      </div>`;let s=e.target_reached?r("car.ready_now"):r("car.ready_at",{time:q(this.hass,e.ready_at??e.departure)});return h`<div class="outlook ready"><ha-icon icon="mdi:check-circle"></ha-icon>${s}</div>`}socBar(e,t){let r=Math.min(Math.max(e.soc_known&&e.soc_pct!==null?e.soc_pct:100*e.energy_kwh/(e.capacity_kwh||1),0),100),s=Math.min(Math.max(e.expected_soc_pct,0),100),o=Math.min(Math.max(e.target_soc_pct,0),100);return h`
      <div class="soc" title=${t("car.expected",{expected:b(this.hass,s,0),target:b(this.hass,o,0)})}>
        <div class="now" style="width:${r}%"></div>
        <div class="gain" style="left:${Math.min(r,s)}%;width:${Math.abs(s-r)}%"></div>
        <div class="target" style="left:${o}%"></div>
      </div>
      <div class="soc-text">
        <span>${e.soc_known?t("car.now",{soc:b(this.hass,r,0)}):d}</span>
        <span class="expected">${t("car.expected",{expected:b(this.hass,s,0),target:b(this.hass,o,0)})}</span>
      </div>
      ${e.soc_known?d:h`<div class="note no-soc">${t("car.no_soc")}</div>`}
    `}goals(e,t){let r=this.row?.entities,s=this.hass?.states??{},o=r?.target_soc?s[r.target_soc]:void 0,a=r?.charge_mode?s[r.charge_mode]:void 0;if(!r?.departure&&!o&&!a)return h`<div class="note">${t("car.no_goal_entities")}</div>`;let l=B(this.hass),n=Array.isArray(a?.attributes.options)?a?.attributes.options:je,p=o&&Number.isFinite(Number(o.state))?Number(o.state):Math.round(e.target_soc_pct);return h`
      <div class="goals">
        ${r?.departure?h`<label
              >${t("car.departure")}
              <input class="departure" type="datetime-local" .value=${Ne(e.departure,l)}
                @change=${this.setDeparture}
            /></label>`:d}
        ${o?h`<label
              >${t("car.target")}
              <span class="with-unit"
                ><input class="target" type="number" min="0" max="100" step="5" .value=${String(p)}
                  @change=${this.setTarget} />%</span
              ></label
            >`:d}
        ${a?h`<label
              >${t("car.mode")}
              <select class="mode" @change=${this.setMode}>
                ${n.map(u=>h`<option value=${u} ?selected=${u===a.state}>
                    ${je.includes(u)?t(`mode.${u}`):u}
                  </option>`)}
              </select></label
            >`:d}
      </div>
    `}render(){let e=this.row,t=e?.car;if(!e||!t)return d;let r=y(this.hass),s=e.entities.charge_mode?this.hass?.states[e.entities.charge_mode]:void 0,o=l=>`${b(this.hass,l,1)} kW`,a=[{id:"car_power",label:r("series.car_power"),values:e.power_kw,kind:"bars",color:"var(--ssch-car-color)",format:o},{id:"car_soc",label:"SoC",values:t.soc_series_pct,kind:"line",color:"var(--ssch-soc-color)",percent:!0,format:l=>`${b(this.hass,l,0)} %`}];return h`
      <div class="evse" data-key=${e.key}>
        <div class="title">
          <span class="name">${e.name}</span>
          ${this.outlook(t,s?.state,r)}
        </div>
        ${this.socBar(t,r)}
        <ssch-plan-chart .hass=${this.hass} .times=${this.times} .series=${a} .cursor=${this.cursor} height="40"></ssch-plan-chart>
        ${this.goals(t,r)}
        ${this.error?h`<div class="note error">${this.error}</div>`:d}
      </div>
    `}};m(z,"properties",{hass:{attribute:!1},row:{attribute:!1},times:{attribute:!1},cursor:{type:Number},error:{state:!0}}),m(z,"styles",v`
    .evse {
      padding: 8px 0 4px;
      border-top: 1px solid var(--divider-color);
    }
    .title {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      align-items: center;
      gap: 4px 8px;
    }
    .name {
      font-weight: 500;
    }
    .outlook {
      display: flex;
      align-items: center;
      gap: 4px;
      font-size: 14px;
    }
    .outlook ha-icon {
      --mdc-icon-size: 18px;
    }
    .ready {
      color: var(--success-color, #43a047);
    }
    .risk {
      color: var(--error-color, #db4437);
    }
    .neutral {
      color: var(--secondary-text-color);
    }
    .soc {
      position: relative;
      height: 10px;
      margin-top: 6px;
      border-radius: 5px;
      background: var(--divider-color);
      overflow: hidden;
    }
    .soc .now {
      position: absolute;
      inset: 0 auto 0 0;
      background: var(--ssch-soc-color);
    }
    .soc .gain {
      position: absolute;
      top: 0;
      bottom: 0;
      background: var(--ssch-soc-color);
      opacity: 0.45;
    }
    .soc .target {
      position: absolute;
      top: 0;
      bottom: 0;
      width: 2px;
      margin-left: -1px;
      background: var(--primary-text-color);
    }
    .soc-text {
      display: flex;
      justify-content: space-between;
      flex-wrap: wrap;
      gap: 0 8px;
      font-size: 12px;
      color: var(--secondary-text-color);
    }
    .goals {
      display: flex;
      flex-wrap: wrap;
      gap: 6px 12px;
      margin-top: 4px;
    }
    label {
      display: flex;
      flex-direction: column;
      font-size: 12px;
      color: var(--secondary-text-color);
    }
    input,
    select {
      font: inherit;
      font-size: 14px;
      color: var(--primary-text-color);
      background: var(--secondary-background-color, transparent);
      border: 1px solid var(--divider-color);
      border-radius: 4px;
      padding: 3px 4px;
      color-scheme: light dark;
    }
    input.target {
      width: 4em;
    }
    .with-unit {
      display: flex;
      align-items: center;
      gap: 2px;
      color: var(--primary-text-color);
    }
    .note {
      font-size: 12px;
      color: var(--secondary-text-color);
    }
    .error {
      color: var(--error-color, #db4437);
    }
  `);var at=["times","grid_import_kw","grid_export_kw","ev_power_kw","battery_power_kw","pv_curtailment_kw","pv_forecast_kw","building_kw","import_limit_kw","export_limit_kw","import_price_per_kwh","export_price_per_kwh","evse_rows"];function Ie(i){let t={...i&&typeof i=="object"?i:{}};for(let r of at)Array.isArray(t[r])||(t[r]=[]);return t.solver??={backend:"none",status:"unknown",fallback_used:!1,reason:null},t.battery=t.battery&&Array.isArray(t.battery.soc_pct)?t.battery:null,t.evse_rows=t.evse_rows.map(r=>({...r,power_kw:Array.isArray(r.power_kw)?r.power_kw:[],entities:r.entities??{},car:r.car?{...r.car,soc_series_pct:r.car.soc_series_pct??[]}:null})),t.charger_count=typeof t.charger_count=="number"?t.charger_count:t.evse_rows.length,t}var nt=6e4,lt=5e3;function ct(i){if(i instanceof Error)return i.message;let e=i?.message;return typeof e=="string"?e:String(i)}var M=class extends _{constructor(){super();m(this,"timer");m(this,"watched","");m(this,"lastFetch",0);this.load={kind:"loading"},this.cursor=0}static async getConfigElement(){return document.createElement("ssch-plan-card-editor")}static getStubConfig(){return{type:"custom:ssch-plan-card"}}setConfig(t){if(!t||typeof t!="object")throw new Error("Invalid configuration");let r=this.config?.config_entry_id!==t.config_entry_id;this.config=t,r&&this.hass&&this.fetch()}getGridOptions(){return{columns:12,min_columns:6}}getCardSize(){return 6+(this.load.kind==="plan"?this.load.plan.evse_rows.filter(r=>r.car).length:0)*3}connectedCallback(){super.connectedCallback(),this.timer=window.setInterval(()=>{this.fetch()},nt),this.hass&&this.fetch()}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this.timer)}updated(t){if(!t.has("hass")||!this.hass)return;if(this.lastFetch===0){this.fetch();return}this.watchedSignature()!==this.watched&&Date.now()-this.lastFetch>lt&&this.fetch()}watchedSignature(){return this.load.kind!=="plan"||!this.hass?"":this.load.plan.evse_rows.flatMap(t=>[t.entities.departure,t.entities.target_soc,t.entities.charge_mode]).map(t=>t?this.hass?.states[t]?.last_updated??"":"").join("|")}async fetch(){if(!this.hass)return;this.lastFetch=Date.now();let t={type:"ssch/plan"};this.config?.config_entry_id&&(t.config_entry_id=this.config.config_entry_id);try{let r=Ie(await this.hass.callWS(t));this.load={kind:"plan",plan:r},this.cursor=Math.min(this.cursor,Math.max(r.times.length-1,0)),this.watched=this.watchedSignature()}catch(r){this.load={kind:"error",message:ct(r)}}}messages(t,r){let s=[];return t.ems_mode==="off"&&s.push({level:"warning",text:r("state.mode_off")}),t.ems_mode==="advisory"&&s.push({level:"info",text:r("state.mode_advisory")}),t.solver?.fallback_used?s.push({level:"warning",text:r("state.fallback",{reason:t.solver.reason??t.solver.status})}):t.status==="degraded"&&t.status_reason&&s.push({level:"warning",text:r("state.degraded",{reason:t.status_reason})}),t.charger_count||s.push({level:"info",text:r("state.no_chargers")}),s.map(o=>h`<div class="message ${o.level}">${o.text}</div>`)}readout(t,r){let s=t.times[this.cursor];return s?h`<div class="readout">${r("readout.at",{time:ze(this.hass,s)})}</div>`:d}charts(t,r){let s=g=>`${b(this.hass,g,1)} kW`,o=g=>s(Math.abs(g)),a=g=>`${b(this.hass,g,0)} %`,l=t.currency||"",n=g=>`${b(this.hass,g,3)} ${l}/kWh`,p=t.times.length,u=t.billed_peak_kw>0?Array(p).fill(t.billed_peak_kw):[],c=[{id:"price",label:r("chart.price"),height:50,series:[{id:"import_price",label:r("series.import_price"),values:t.import_price_per_kwh??[],kind:"step",color:"var(--ssch-price-color)",format:n},{id:"export_price",label:r("series.export_price"),values:t.export_price_per_kwh??[],kind:"step",color:"var(--ssch-export-color)",format:n,dashed:!0}]},{id:"grid",label:r("chart.grid"),series:[{id:"grid_import",label:r("series.import"),values:t.grid_import_kw??[],kind:"bars",color:"var(--ssch-import-color)",format:s},{id:"grid_export",label:r("series.export"),values:(t.grid_export_kw??[]).map(g=>-g),kind:"bars",color:"var(--ssch-export-color)",format:o},{id:"import_limit",label:r("series.limit"),values:t.import_limit_kw??[],kind:"step",color:"var(--ssch-limit-color)",format:s,dashed:!0},...u.length?[{id:"billed_peak",label:r("series.billed_peak"),values:u,kind:"step",color:"var(--ssch-peak-color)",format:s,dashed:!0}]:[]]}],f=t.pv_forecast_kw??[];return f.some(g=>g>0)&&c.push({id:"solar",label:r("chart.solar"),height:50,series:[{id:"pv",label:r("series.pv"),values:f,kind:"area",color:"var(--ssch-pv-color)",format:s},...t.pv_curtailable?[{id:"curtailment",label:r("series.curtailment"),values:t.pv_curtailment_kw??[],kind:"bars",color:"var(--ssch-curtail-color)",format:s}]:[]]}),t.battery&&c.push({id:"battery",label:r("chart.battery"),height:50,series:[{id:"battery_power",label:r("series.battery_power"),values:t.battery_power_kw??[],kind:"bars",color:"var(--ssch-battery-color)",format:s},{id:"battery_soc",label:r("series.battery_soc"),values:t.battery.soc_pct,kind:"line",color:"var(--ssch-soc-color)",percent:!0,format:a}]}),c.map(g=>h`<ssch-plan-chart data-chart=${g.id} .hass=${this.hass} .label=${g.label}
        .times=${t.times} .series=${g.series} .cursor=${this.cursor} height=${g.height??80}></ssch-plan-chart>`)}cars(t,r){let s=t.evse_rows??[],o=s.filter(n=>n.car),a=s.filter(n=>!n.car&&n.online).map(n=>n.name),l=s.filter(n=>!n.car&&!n.online).map(n=>n.name);return h`
      <div class="cars">
        ${o.map(n=>h`<ssch-evse-row .hass=${this.hass} .row=${n} .times=${t.times} .cursor=${this.cursor}></ssch-evse-row>`)}
        ${t.charger_count&&!o.length?h`<div class="message info no-cars">${r("state.no_cars")}</div>`:d}
        ${a.length?h`<div class="idle free">${r("state.free",{names:a.join(", ")})}</div>`:d}
        ${l.length?h`<div class="idle offline">${r("state.offline",{names:l.join(", ")})}</div>`:d}
      </div>
    `}body(t){let r=this.load;if(r.kind==="loading")return h`<div class="message info state">${t("state.loading")}</div>`;if(r.kind==="error"){let o=/unknown_hub|hub_required|no hub|not found/i.test(r.message);return h`<div class="message warning state">
        ${o&&!this.config?.config_entry_id?t("state.no_hub"):t("state.not_loaded",{error:r.message})}
      </div>`}let s=r.plan;return!s.times?.length||s.solver?.backend==="none"?h`${this.messages(s,t)}<div class="message info state">${t("state.no_plan")}</div>`:h`${this.messages(s,t)} ${this.readout(s,t)} ${this.charts(s,t)} ${this.cars(s,t)}`}render(){let t=y(this.hass),r=this.load.kind==="plan"?this.load.plan.hub:"",s=this.config?.title||(r?`${t("card.title")} · ${r}`:t("card.title"));return h`<ha-card>
      <div class="header">${s}</div>
      <div class="content" @cursor-changed=${o=>this.cursor=o.detail.index}
        @goal-changed=${()=>{this.fetch()}}>${this.body(t)}</div>
    </ha-card>`}};m(M,"properties",{hass:{attribute:!1},config:{state:!0},load:{state:!0},cursor:{state:!0}}),m(M,"styles",v`
    :host {
      --ssch-price-color: var(--orange-color, #ff9800);
      --ssch-import-color: var(--blue-color, #2196f3);
      --ssch-export-color: var(--green-color, #4caf50);
      --ssch-limit-color: var(--red-color, #f44336);
      --ssch-peak-color: var(--deep-orange-color, #ff5722);
      --ssch-pv-color: var(--amber-color, #ffc107);
      --ssch-curtail-color: var(--grey-color, #9e9e9e);
      --ssch-battery-color: var(--purple-color, #9c27b0);
      --ssch-soc-color: var(--teal-color, #009688);
      --ssch-car-color: var(--indigo-color, #3f51b5);
    }
    ha-card {
      overflow: hidden;
    }
    .header {
      padding: 12px 16px 0;
      font-size: 20px;
      line-height: 28px;
      color: var(--ha-card-header-color, var(--primary-text-color));
    }
    .content {
      padding: 4px 16px 12px;
    }
    .message {
      margin: 6px 0;
      padding: 6px 8px;
      border-radius: 6px;
      font-size: 14px;
      color: var(--primary-text-color);
      background: color-mix(in srgb, var(--info-color, #039be5) 14%, transparent);
    }
    .message.warning {
      background: color-mix(in srgb, var(--warning-color, #ffa600) 18%, transparent);
    }
    .readout {
      font-size: 12px;
      color: var(--secondary-text-color);
      text-align: right;
    }
    .idle {
      font-size: 12px;
      color: var(--secondary-text-color);
      padding-top: 6px;
      border-top: 1px solid var(--divider-color);
    }
  `);function X(i,e){return e.length?[{type:"entities",title:i,entities:e}]:[]}function dt(i,e){let t=i.evses.filter(r=>r.power).map(r=>({type:"tile",entity:r.power,name:r.name,icon:"mdi:ev-station"}));return[{type:"custom:ssch-plan-card",config_entry_id:i.config_entry_id},...X(e("strategy.hub"),i.hub_entities),t.length?{type:"grid",title:e("strategy.chargers"),columns:2,square:!1,cards:t}:{type:"markdown",content:e("strategy.no_chargers")},...X(e("strategy.site"),i.site_entities),...X(e("strategy.key_figures"),i.kpi_entities),...i.calendars.length?[{type:"calendar",title:e("strategy.bookings"),initial_view:"listWeek",entities:i.calendars}]:[]]}function ht(i,e){let t=i.evses.flatMap(r=>X(r.name,r.entities));return t.length?t:[{type:"markdown",content:e("strategy.no_chargers")}]}function pt(i){return i.toLowerCase().replace(/[^a-z0-9]+/g,"-").replace(/^-|-$/g,"")||"hub"}var Y=class extends HTMLElement{static async generate(e,t){let r=y(t),s=[];try{let l={type:"ssch/dashboard"};e?.config_entry_id&&(l.config_entry_id=e.config_entry_id),s=(await t.callWS(l)).hubs??[]}catch{s=[]}if(!s.length)return{views:[{title:r("strategy.overview"),path:"overview",icon:"mdi:ev-station",cards:[{type:"markdown",content:r("strategy.no_hub")}]}]};let o=s.length>1;return{views:s.flatMap(l=>{let n=o?`${pt(l.hub)}-`:"";return[{title:o?l.hub:r("strategy.overview"),path:`${n}overview`,icon:"mdi:transmission-tower",cards:dt(l,r)},{title:o?`${l.hub}: ${r("strategy.chargers")}`:r("strategy.chargers"),path:`${n}chargers`,icon:"mdi:ev-station",cards:ht(l,r)}]})}}};var ut=[["ssch-plan-chart",P],["ssch-evse-row",z],["ssch-plan-card-editor",L],["ssch-plan-card",M],["ll-strategy-dashboard-ssch-hub",Y]];function Be(){for(let[i,e]of ut)window.customElements.get(i)||window.customElements.define(i,e)}var gt=window.CustomElementRegistryPolyfill;gt||window.customElements.get("home-assistant")?Be():window.customElements.whenDefined("home-assistant").then(Be);var ee=window;ee.customCards=ee.customCards??[];if(!ee.customCards.some(i=>i.type==="ssch-plan-card")){let i=y(void 0);ee.customCards.push({type:"ssch-plan-card",name:i("card.name"),description:i("card.description"),preview:!0,documentationURL:"https://github.com/ssch-hub/ssch"})}
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
