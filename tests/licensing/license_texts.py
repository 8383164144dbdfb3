"""License texts written out for the tests, and ways to reformat them as people do.

Short licenses (MIT, BSD, Unlicense) are complete; long ones are their title block and opening
paragraphs, which is what a recogniser has to go on.
"""

from __future__ import annotations

import textwrap

MIT = """MIT License

Copyright (c) 2023 Example Research Lab

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
"""

# MIT plus the X11 clause: SPDX's X11, not MIT.
X11 = MIT + """
Except as contained in this notice, the name of the X Consortium shall not be
used in advertising or otherwise to promote the sale, use or other dealings in
this Software without prior written authorization from the X Consortium.
"""

_BSD_HEAD = """Copyright (c) 2021, Example University
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.
"""

_BSD_THIRD = """
3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.
"""

_BSD_ADVERTISING = """
3. All advertising materials mentioning features or use of this software
   must display the following acknowledgement: This product includes
   software developed by Example University.
"""

_BSD_DISCLAIMER = """
THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""

BSD_2 = "BSD 2-Clause License\n\n" + _BSD_HEAD + _BSD_DISCLAIMER
BSD_3 = "BSD 3-Clause License\n\n" + _BSD_HEAD + _BSD_THIRD + _BSD_DISCLAIMER
BSD_4 = _BSD_HEAD + _BSD_ADVERTISING + _BSD_THIRD.replace("3.", "4.") + _BSD_DISCLAIMER

APACHE_2 = """
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION

   1. Definitions.

      "License" shall mean the terms and conditions for use, reproduction,
      and distribution as defined by Sections 1 through 9 of this document.

      "Licensor" shall mean the copyright owner or entity authorized by
      the copyright owner that is granting the License.

      "Legal Entity" shall mean the union of the acting entity and all
      other entities that control, are controlled by, or are under common
      control with that entity.

   2. Grant of Copyright License. Subject to the terms and conditions of
      this License, each Contributor hereby grants to You a perpetual,
      worldwide, non-exclusive, no-charge, royalty-free, irrevocable
      copyright license to reproduce, prepare Derivative Works of,
      publicly display, publicly perform, sublicense, and distribute the
      Work and such Derivative Works in Source or Object form.
"""

APACHE_2_NOTICE = """Copyright 2024 Example Org

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
"""

_CC4_OPENING = """Creative Commons Corporation ("Creative Commons") is not a law firm and
does not provide legal services or legal advice. Distribution of
Creative Commons public licenses does not create a lawyer-client or
other relationship. Creative Commons makes its licenses and related
information available on an "as-is" basis. Creative Commons gives no
warranties regarding its licenses, any material licensed under their
terms and conditions, or any related information. Creative Commons
disclaims all liability for damages resulting from their use to the
fullest extent possible.

Using Creative Commons Public Licenses

Creative Commons public licenses provide a standard set of terms and
conditions that creators and other rights holders may use to share
original works of authorship and other material subject to copyright
and certain other rights specified in the public license below. The
following considerations are for informational purposes only, are not
exhaustive, and do not form part of our licenses.
"""

_CC4_EXTRA_DEFINITIONS = {
    "NonCommercial": """
  i. NonCommercial means not primarily intended for or directed towards
     commercial advantage or monetary compensation.
""",
    "ShareAlike": """
  b. Adapter's License means the license You apply to Your Copyright
     and Similar Rights in Your contributions to Adapted Material.

  c. {short} Compatible License means a license listed at
     creativecommons.org/compatiblelicenses, approved by Creative
     Commons as essentially the equivalent of this Public License.
""",
}


def cc4(title: str, short: str) -> str:
    """The opening of a CC 4.0 legal code; `title` like "Attribution-NonCommercial", `short` like "BY-NC"."""
    extra = "".join(
        text.format(short=short) for element, text in _CC4_EXTRA_DEFINITIONS.items() if element in title
    )
    return f"""{title} 4.0 International

=======================================================================

{_CC4_OPENING}
=======================================================================

Creative Commons {title} 4.0 International Public License

By exercising the Licensed Rights (defined below), You accept and agree
to be bound by the terms and conditions of this Creative Commons
{title} 4.0 International Public License ("Public License"). To the
extent this Public License may be interpreted as a contract, You are
granted the Licensed Rights in consideration of Your acceptance of
these terms and conditions.

Section 1 -- Definitions.

  a. Adapted Material means material subject to Copyright and Similar
     Rights that is derived from or based upon the Licensed Material.
{extra}
Section 3 -- License Conditions.

  a. Attribution.

    1. If You Share the Licensed Material (including in modified form),
       You must retain identification of the creator(s).
"""


CC_BY_4 = cc4("Attribution", "BY")
CC_BY_SA_4 = cc4("Attribution-ShareAlike", "BY-SA")
CC_BY_NC_4 = cc4("Attribution-NonCommercial", "BY-NC")
CC_BY_NC_SA_4 = cc4("Attribution-NonCommercial-ShareAlike", "BY-NC-SA")
CC_BY_ND_4 = cc4("Attribution-NoDerivatives", "BY-ND")
CC_BY_NC_ND_4 = cc4("Attribution-NonCommercial-NoDerivatives", "BY-NC-ND")

CC4_TEXTS = {
    "CC-BY-4.0": CC_BY_4,
    "CC-BY-SA-4.0": CC_BY_SA_4,
    "CC-BY-NC-4.0": CC_BY_NC_4,
    "CC-BY-NC-SA-4.0": CC_BY_NC_SA_4,
    "CC-BY-ND-4.0": CC_BY_ND_4,
    "CC-BY-NC-ND-4.0": CC_BY_NC_ND_4,
}


def cc3(title: str, port: str = "Unported") -> str:
    """The opening of a CC 3.0 legal code."""
    return f"""Creative Commons Legal Code

{title} 3.0 {port}

    CREATIVE COMMONS CORPORATION IS NOT A LAW FIRM AND DOES NOT PROVIDE
    LEGAL SERVICES. DISTRIBUTION OF THIS LICENSE DOES NOT CREATE AN
    ATTORNEY-CLIENT RELATIONSHIP. CREATIVE COMMONS PROVIDES THIS
    INFORMATION ON AN "AS-IS" BASIS. CREATIVE COMMONS MAKES NO WARRANTIES
    REGARDING THE INFORMATION PROVIDED, AND DISCLAIMS LIABILITY FOR
    DAMAGES RESULTING FROM ITS USE.

License

THE WORK (AS DEFINED BELOW) IS PROVIDED UNDER THE TERMS OF THIS CREATIVE
COMMONS PUBLIC LICENSE ("CCPL" OR "LICENSE"). THE WORK IS PROTECTED BY
COPYRIGHT AND/OR OTHER APPLICABLE LAW. ANY USE OF THE WORK OTHER THAN AS
AUTHORIZED UNDER THIS LICENSE OR COPYRIGHT LAW IS PROHIBITED.

1. Definitions

 a. "Adaptation" means a work based upon the Work, or upon the Work and
    other pre-existing works, such as a translation, adaptation,
    derivative work, arrangement of music or other alterations.
"""


CC_BY_3 = cc3("Attribution")

CC0 = """Creative Commons Legal Code

CC0 1.0 Universal

    CREATIVE COMMONS CORPORATION IS NOT A LAW FIRM AND DOES NOT PROVIDE
    LEGAL SERVICES. DISTRIBUTION OF THIS DOCUMENT DOES NOT CREATE AN
    ATTORNEY-CLIENT RELATIONSHIP. CREATIVE COMMONS PROVIDES THIS
    INFORMATION ON AN "AS-IS" BASIS.

Statement of Purpose

The laws of most jurisdictions throughout the world automatically confer
exclusive Copyright and Related Rights (defined below) upon the creator
and subsequent owner(s) (each and all, an "owner") of an original work of
authorship and/or a database (each, a "Work").
"""

ODC_BY = """Open Data Commons Attribution License (ODC-By) v1.0

Preamble

The Open Data Commons Attribution License is a license agreement intended to
allow users to freely share, modify, and use this Database subject only to the
attribution requirements set out in Section 4.

Databases can contain a wide variety of types of content (images, audiovisual
material, and sounds all in the same database, for example), and so this
license only governs the rights over the Database, and not the contents of the
Database individually.
"""

ODBL = """ODC Open Database License (ODbL)

Preamble

The Open Database License (ODbL) is a license agreement intended to
allow users to freely share, modify, and use this Database while
maintaining this same freedom for others. Many databases are covered by
copyright, and therefore this document licenses these rights.
"""

PDDL = """Open Data Commons Public Domain Dedication and License (PDDL)

Preamble

The Open Data Commons – Public Domain Dedication & Licence is a document
intended to allow you to freely share, modify, and use this work for any
purpose and without any restrictions. This licence is intended for use on
databases or their contents ("data"), either together or individually.
"""

GPL_3 = """                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
 Everyone is permitted to copy and distribute verbatim copies
 of this license document, but changing it is not allowed.

                            Preamble

  The GNU General Public License is a free, copyleft license for
software and other kinds of works.

  13. Use with the GNU Affero General Public License.

  Notwithstanding any other provision of this License, you have
permission to link or combine any covered work with a work licensed
under version 3 of the GNU Affero General Public License into a single
combined work.

  If your program is a subroutine library, you may consider it more useful
to permit linking proprietary applications with the library.  If this is
what you want to do, use the GNU Lesser General Public License instead of
this License.
"""

LGPL_3 = """                   GNU LESSER GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
 Everyone is permitted to copy and distribute verbatim copies
 of this license document, but changing it is not allowed.

  This version of the GNU Lesser General Public License incorporates
the terms and conditions of version 3 of the GNU General Public
License, supplemented by the additional permissions listed below.
"""

UNLICENSE = """This is free and unencumbered software released into the public domain.

Anyone is free to copy, modify, publish, use, compile, sell, or
distribute this software, either in source code form or as a compiled
binary, for any purpose, commercial or non-commercial, and by any
means.

In jurisdictions that recognize copyright laws, the author or authors
of this software dedicate any and all copyright interest in the
software to the public domain.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED.

For more information, please refer to <https://unlicense.org>
"""

UNKNOWN = """Example Research Data License

Copyright 2024 Example Institute. The data in this repository may be used
for non-profit research only. Redistribution of the data, in whole or in
part, is not permitted without written consent. Attribution to the
Example Institute is required in any publication that uses the data.
"""

RECOGNISED = {
    "MIT": MIT,
    "BSD-2-Clause": BSD_2,
    "BSD-3-Clause": BSD_3,
    "Apache-2.0": APACHE_2,
    "CC0-1.0": CC0,
    "CC-BY-3.0": CC_BY_3,
    "ODC-By-1.0": ODC_BY,
    "ODbL-1.0": ODBL,
    "PDDL-1.0": PDDL,
    "GPL-3.0-only": GPL_3,
    "Unlicense": UNLICENSE,
    **CC4_TEXTS,
}


def rewrap(text: str, width: int) -> str:
    """The text with each paragraph re-flowed to `width` columns."""
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(textwrap.fill(p, width) for p in paragraphs if p)


def one_line(text: str) -> str:
    """The whole text on one line."""
    return " ".join(text.split())


def as_markdown(text: str) -> str:
    """The text as Markdown: its first line a heading, every paragraph's first sentence in bold."""
    first, _, rest = text.strip().partition("\n")
    paragraphs = []
    for paragraph in rest.split("\n\n"):
        head, dot, tail = paragraph.strip().partition(". ")
        paragraphs.append(f"**{head}{dot.strip()}** {tail}" if dot else paragraph.strip())
    return f"# {first.strip()}\n\n" + "\n\n".join(paragraphs) + "\n"


def variants(text: str) -> dict[str, str]:
    """The text as written and reformatted in the ways license files are in the wild."""
    return {
        "as-is": text,
        "wrapped-40": rewrap(text, 40),
        "wrapped-120": rewrap(text, 120),
        "one-line": one_line(text),
        "upper": text.upper(),
        "lower": text.lower(),
        "crlf": text.replace("\n", "\r\n"),
        "copyright-added": "Copyright (c) 2019-2024 The Example Dataset Authors\n\n" + text,
        "markdown": as_markdown(text),
        "indented": textwrap.indent(text, "    "),
    }
