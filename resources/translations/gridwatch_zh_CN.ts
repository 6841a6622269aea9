<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
    <context>
        <name>AssessmentDialog</name>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="164" />
            <source>Township assessment</source>
            <translation>乡镇考核</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="165" />
            <source>Monthly bulletin</source>
            <translation>月通报</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="165" />
            <source>Quarterly comparison</source>
            <translation>季评比</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="166" />
            <source>Yearly assessment</source>
            <translation>年考核</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="170" />
            <source>Period:</source>
            <translation>时段：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="171" />
            <source>Veto item:</source>
            <translation>一票否决事项：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="172" />
            <source>2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year)</source>
            <translation>2026-11（月）、2026-Q4（季度）或 2026（年）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="173" />
            <source>Compute</source>
            <translation>计算</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="174" />
            <source>Bulletin (Word)…</source>
            <translation>通报（Word）…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="175" />
            <source>The bulletin of this period as a Word document: ranking, fire points by kind, coverage, overdue and rejected findings, the map</source>
            <translation>本时段的通报（Word 文档）：考核排名、分类型火点、巡查覆盖、超期和被驳回的问题、全区图</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="177" />
            <source>Reason (what happened, the evidence)</source>
            <translation>理由（发生了什么、依据）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="178" />
            <source>Set veto</source>
            <translation>设定一票否决</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="192" />
            <source>The township is put last in every period holding this date</source>
            <translation>含此日期的各考核时段中，该乡镇排在最后</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="181" />
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="259" />
            <source>Computing…</source>
            <translation>正在计算…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="278" />
            <source>%1: %2 townships; equal scores share a rank, vetoed townships are last; fire points checked as no burning or heat sources are not counted</source>
            <translation>%1：共 %2 个乡镇；得分相同者名次并列，有一票否决事项的乡镇排在最后；核查为未发现焚烧的火点和持续热源不计入</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="292" />
            <source>Save the bulletin</source>
            <translation>保存通报</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="294" />
            <source>Word documents (*.docx)</source>
            <translation>Word 文档 (*.docx)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="307" />
            <source>Writing the bulletin…</source>
            <translation>正在生成通报…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="314" />
            <source>Wrote %s</source>
            <translation>已写入 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="179" />
            <source>Lift selected</source>
            <translation>撤销所选</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="181" />
            <source>Veto item</source>
            <translation>否决事项</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="181" />
            <source>Date</source>
            <translation>日期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="182" />
            <source>Reason</source>
            <translation>理由</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="194" />
            <source>Lift the veto item selected below; give the reason above</source>
            <translation>撤销下方所选的一票否决事项；请在上方填写理由</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="227" />
            <source>Choose the veto item to lift in the list.</source>
            <translation>请在列表中选择要撤销的一票否决事项。</translation>
        </message>
    </context>
    <context>
        <name>AssignDialog</name>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="148" />
            <source>Assign inspections</source>
            <extracomment>Township names by code: people are listed with theirs (two 张伟 are common). The user chose a kind: a new due date no longer picks the season's default.</extracomment>
            <translation>派发检查任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="151" />
            <source>%s tasks: one per feature, in %s cells</source>
            <translation>%s 个任务：每个对象一个，涉及 %s 个网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="154" />
            <source>%s cells: one task per cell</source>
            <translation>%s 个网格：每个网格一个任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="155" />
            <source>&amp;Kind:</source>
            <translation>任务类型(&amp;K)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="155" />
            <source>&amp;Assign to:</source>
            <translation>执行人(&amp;A)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="156" />
            <source>&amp;Priority:</source>
            <translation>优先级(&amp;P)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="157" />
            <source>&amp;Notes:</source>
            <translation>备注(&amp;N)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="161" />
            <source>Each cell's own inspector</source>
            <translation>各网格的网格员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="172" />
            <source>What to look at (optional)</source>
            <translation>检查要点（可选）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="174" />
            <source>Assign</source>
            <translation>派发</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="176" />
            <source>No cells chosen: select cells on the map first.</source>
            <translation>未选择网格：请先在地图上选择网格。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="178" />
            <source>Only a grid chief, supervisor or administrator may assign inspections.</source>
            <translation>只有网格长、督查员或管理员可以派发检查任务。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="169" />
            <source>Due time in Beijing time, as every list shows it</source>
            <translation>截止时间按北京时间填写，与各列表显示一致</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="156" />
            <source>&amp;Due (Beijing time):</source>
            <translation>截止时间（北京时间）(&amp;D)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="203" />
            <source>phone ends in %1</source>
            <translation>尾号%1</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="204" />
            <source>%1 (%2)</source>
            <translation>%1（%2）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="204" />
            <source>, </source>
            <translation>，</translation>
        </message>
    </context>
    <context>
        <name>AttributeTableDock</name>
        <message>
            <location filename="../../gridwatch/ui/data/attribute_table.py" line="229" />
            <source>Attribute table</source>
            <extracomment>One filter at a time, in order (a newer text supersedes the one running). (layer name, uuids of the selected rows in view order), only for user actions. Frames at least this long are filtered after a pause in typing, not on every key. Frames at least this long are filtered on a worker thread (the window keeps answering).</extracomment>
            <translation>属性表</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/attribute_table.py" line="231" />
            <source>Filter…</source>
            <translation>筛选…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/attribute_table.py" line="232" />
            <source>Show only rows containing this text in any column</source>
            <translation>只显示任一列包含此文字的行</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/attribute_table.py" line="306" />
            <source>{shown} of {total} features</source>
            <translation>{total} 个要素中显示 {shown} 个</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/data/attribute_table.py" line="309" />
            <source>%Ln feature(s)</source>
            <translation>
                <numerusform>%Ln 个要素</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/attribute_table.py" line="233" />
            <source>Show IDs</source>
            <translation>显示编号</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/attribute_table.py" line="234" />
            <source>Show the internal identifiers (UUIDs) of the rows</source>
            <translation>显示各行的内部标识（UUID）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/attribute_table.py" line="267" />
            <source>Filtering…</source>
            <translation>正在筛选…</translation>
        </message>
    </context>
    <context>
        <name>CalendarDialog</name>
        <message>
            <location filename="../../gridwatch/ui/analysis/calendar_dialog.py" line="121" />
            <source>Seasonal calendar</source>
            <translation>季节日历</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/calendar_dialog.py" line="123" />
            <source>Per season of the work plans: how many days may pass between patrols of each class of cell (a cell in several classes keeps the shortest; the fireworks-ban zone's interval applies during the fireworks ban around the Spring Festival only), and the kind a new task gets unless another is chosen. Coverage marks cells overdue by these intervals.</source>
            <translation>按工作方案的季节设定：各类网格两次巡查之间最多间隔几天（一个网格属于多类时取最短的间隔；禁燃禁放区网格的间隔只在春节前后的禁放期内适用），以及新建任务默认的任务类型。巡查覆盖按这些间隔判定网格是否超期。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/calendar_dialog.py" line="129" />
            <source>Default task kind</source>
            <translation>默认任务类型</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/calendar_dialog.py" line="135" />
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/calendar_dialog.py" line="142" />
            <source>Today (%1) is in the %2: focus %3; new tasks default to %4.</source>
            <translation>今天（%1）处于%2：重点是%3；新建任务默认为%4。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/calendar_dialog.py" line="146" />
            <source>The plans' defaults</source>
            <translation>恢复方案默认值</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/calendar_dialog.py" line="169" />
            <source>Saving…</source>
            <translation>正在保存…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/calendar_dialog.py" line="176" />
            <source>Saved.</source>
            <translation>已保存。</translation>
        </message>
    </context>
    <context>
        <name>CampaignDialog</name>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="102" />
            <source>Campaigns</source>
            <translation>专项行动</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="105" />
            <source>Template:</source>
            <translation>模板：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="106" />
            <source>From, to:</source>
            <translation>起止日期：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="107" />
            <source>Progress of:</source>
            <translation>进度：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="108" />
            <source>Start campaign</source>
            <translation>发起专项行动</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="111" />
            <source>One task per cell per round, for each cell's inspector</source>
            <translation>每轮每个网格一个任务，由各网格的网格员执行</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="117" />
            <source>Round</source>
            <translation>轮次</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="117" />
            <source>From</source>
            <translation>开始</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="117" />
            <source>To</source>
            <translation>结束</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="117" />
            <source>Tasks</source>
            <translation>任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="118" />
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="118" />
            <source>Overdue</source>
            <translation>超期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="118" />
            <source>Done (%)</source>
            <translation>完成率(%)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="112" />
            <source>Make the rounds that have begun</source>
            <translation>建立已开始轮次的任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="115" />
            <source>Each round's tasks are made when the round begins; the office's copy does it when the project opens</source>
            <translation>每一轮的任务在该轮开始时建立；督查办公室的副本在打开项目时自动建立</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="179" />
            <source>when it begins</source>
            <translation>开始后建立</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/campaign.py" line="187" />
            <source>%1 of %2 tasks done in %3 townships; rounds made: %4 of %5</source>
            <translation>%3 个乡镇 %2 个任务，已完成 %1 个；已建轮次：%4 / %5</translation>
        </message>
    </context>
    <context>
        <name>CellInspectorDialog</name>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="385" />
            <source>Give cells to an inspector</source>
            <translation>调整网格员</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/data/people.py" line="386" />
            <source>Give %n cell(s) to:</source>
            <translation>
                <numerusform>将 %n 个网格交给：</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/data/people.py" line="393" />
            <source>%1 (%n cell(s))</source>
            <translation>
                <numerusform>%1（%n 个网格）</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="395" />
            <source>No cells chosen: select cells on the map first.</source>
            <translation>未选择网格：请先在地图上选择网格。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="397" />
            <source>Only an administrator may change who is responsible for cells.</source>
            <translation>只有管理员可以调整网格责任人。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="399" />
            <source>There is no active inspector.</source>
            <translation>没有在岗的网格员。</translation>
        </message>
    </context>
    <context>
        <name>ChecklistDialog</name>
        <message>
            <location filename="../../gridwatch/ui/tasks/checklist.py" line="81" />
            <source>Checklist: %s</source>
            <translation>检查清单：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/checklist.py" line="82" />
            <source>Untick what is not in order and say what you saw. Cell %s.</source>
            <translation>不合格的项请取消勾选并写明情况。网格 %s。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/checklist.py" line="84" />
            <source>Item</source>
            <translation>检查项</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/checklist.py" line="84" />
            <source>In order</source>
            <translation>合格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/checklist.py" line="84" />
            <source>Note</source>
            <translation>说明</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/checklist.py" line="89" />
            <source>Record a finding for every item not in order</source>
            <translation>每个不合格项都记录为问题</translation>
        </message>
    </context>
    <context>
        <name>CheckoutDialog</name>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="117" />
            <source>Check out shared project</source>
            <translation>签出共享项目</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="118" />
            <source>Make a working copy of the shared project on this laptop. Work on it offline, then use File &gt; Sync to exchange changes with the shared project.</source>
            <translation>在本机生成共享项目的工作副本。可离线工作，之后用“文件 &gt; 同步”与共享项目交换修改。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="120" />
            <source>&amp;Shared project:</source>
            <translation>共享项目(&amp;S)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="121" />
            <source>&amp;Working copy:</source>
            <translation>工作副本(&amp;W)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="122" />
            <source>&amp;You are:</source>
            <translation>您是(&amp;Y)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="123" />
            <location filename="../../gridwatch/ui/sync/checkout.py" line="124" />
            <source>Browse…</source>
            <translation>浏览…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="127" />
            <source>Where this laptop keeps its copy</source>
            <translation>本机保存副本的位置</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="128" />
            <source>Check out</source>
            <translation>签出</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="163" />
            <source>Shared project</source>
            <translation>共享项目</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="164" />
            <location filename="../../gridwatch/ui/sync/checkout.py" line="171" />
            <source>GridWatch projects (*.gpkg)</source>
            <translation>GridWatch 项目 (*.gpkg)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="170" />
            <source>Working copy</source>
            <translation>工作副本</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="209" />
            <source>Reading the people of the server's district…</source>
            <translation>正在读取服务器上本区的人员…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="224" />
            <source>Shared project not found; is the shared folder reachable?</source>
            <translation>找不到共享项目；共享文件夹能否访问？</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="230" />
            <source>This file is not a GridWatch project:</source>
            <translation>该文件不是 GridWatch 项目：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="233" />
            <location filename="../../gridwatch/ui/sync/checkout.py" line="247" />
            <source>This project has no active people; an administrator must add them first.</source>
            <translation>该项目没有在岗人员；请管理员先添加人员。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="254" />
            <source>The server asks for the password of this login: press Enter in the shared project field to give it.</source>
            <translation>服务器要求输入此登录名的密码：请在“共享项目”栏中按回车键后输入。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="316" />
            <source>Copying the shared project…</source>
            <translation>正在复制共享项目…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="125" />
            <source>The district's project file in the shared folder, or a server: postgresql://HOST/DATABASE</source>
            <translation>共享文件夹中的区级项目文件，或服务器地址：postgresql://主机/数据库</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/checkout.py" line="257" />
            <source>Cannot read the people of this server's district:</source>
            <translation>无法读取该服务器上本区的人员：</translation>
        </message>
    </context>
    <context>
        <name>CityDialog</name>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="117" />
            <source>City view</source>
            <translation>市级总览</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="118" />
            <source>&amp;Server:</source>
            <translation>服务器(&amp;S):</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="119" />
            <source>&amp;Month:</source>
            <translation>月份(&amp;M):</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="120" />
            <source>postgresql://HOST/DATABASE (every district in it)</source>
            <translation>postgresql://主机/数据库(库中所有区县)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="121" />
            <source>YYYY-MM</source>
            <translation>YYYY-MM</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="122" />
            <source>Show</source>
            <translation>显示</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="127" />
            <location filename="../../gridwatch/ui/sync/city.py" line="132" />
            <source>District</source>
            <translation>区县</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="127" />
            <source>Schema</source>
            <translation>库内名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="127" />
            <source>Cells</source>
            <translation>网格数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="128" />
            <location filename="../../gridwatch/ui/sync/city.py" line="132" />
            <source>Coverage %</source>
            <translation>覆盖率 %</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="129" />
            <source>Findings</source>
            <translation>问题数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="129" />
            <location filename="../../gridwatch/ui/sync/city.py" line="133" />
            <source>Closed %</source>
            <translation>整改到位率 %</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="129" />
            <location filename="../../gridwatch/ui/sync/city.py" line="133" />
            <source>Overdue</source>
            <translation>超期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="129" />
            <location filename="../../gridwatch/ui/sync/city.py" line="133" />
            <source>Burning fire points</source>
            <translation>焚烧火点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="130" />
            <source>Vetoed townships</source>
            <translation>一票否决乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="133" />
            <source>Fire checks in time %</source>
            <translation>火点按时核查率 %</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="127" />
            <location filename="../../gridwatch/ui/sync/city.py" line="132" />
            <source>Rank</source>
            <translation>排名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="132" />
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="127" />
            <location filename="../../gridwatch/ui/sync/city.py" line="132" />
            <source>Score</source>
            <translation>得分</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="123" />
            <source>Districts, ranked by the work plans' assessment</source>
            <translation>各区县（按工作方案考核排名）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="124" />
            <source>Townships of every district, ranked together (equal scores share a rank, veto items last)</source>
            <translation>各区县乡镇统一排名（同分同名次，一票否决排最后）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="134" />
            <source>Deduction (yuan)</source>
            <translation>扣缴（元）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="134" />
            <source>Veto</source>
            <translation>一票否决</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="147" />
            <source>Enter a PostgreSQL server's address, e.g. postgresql://HOST/DATABASE.</source>
            <translation>请输入 PostgreSQL 服务器地址,例如 postgresql://主机/数据库。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="150" />
            <source>Enter the month as YYYY-MM, e.g. 2026-11.</source>
            <translation>请按 YYYY-MM 输入月份,例如 2026-11。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="157" />
            <source>Reading the districts…</source>
            <translation>正在读取各区县…</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/sync/city.py" line="179" />
            <source>%n district(s), %1</source>
            <translation>
                <numerusform>%n 个区县,%1</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/city.py" line="189" />
            <source>Not readable with this login: %1</source>
            <translation>此账号无权读取:%1</translation>
        </message>
    </context>
    <context>
        <name>ConflictsPanel</name>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="146" />
            <source>Status only moves forward</source>
            <extracomment>The conflicts listed (empty until read). The record of the selected conflict, to show on the map: (table, row uuid).</extracomment>
            <translation>状态只进不退</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="147" />
            <source>The later edit wins</source>
            <translation>以较晚的修改为准</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="148" />
            <source>The edit synced last wins</source>
            <translation>以最后同步的修改为准</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="149" />
            <source>A delete wins over an edit</source>
            <translation>删除优先于修改</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="169" />
            <source>the shared project</source>
            <translation>共享项目</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="171" />
            <source>deleted</source>
            <translation>已删除</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="173" />
            <source>(this sync)</source>
            <translation>（本次同步）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="185" />
            <source>&lt;%1 bytes&gt;</source>
            <translation>&lt;%1 字节&gt;</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="198" />
            <source>yes</source>
            <translation>是</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="198" />
            <source>no</source>
            <translation>否</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="206" />
            <source>Sync conflicts</source>
            <translation>同步冲突</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="207" />
            <source>Show:</source>
            <translation>显示：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="208" />
            <source>Open conflicts</source>
            <translation>待审核冲突</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="209" />
            <source>All conflicts</source>
            <translation>全部冲突</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="210" />
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="210" />
            <source>Field</source>
            <translation>字段</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="211" />
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="216" />
            <source>&amp;Accept</source>
            <translation>确认(&amp;A)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="216" />
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="355" />
            <source>The kept value stays; the conflict is closed</source>
            <translation>保留当前值，冲突关闭</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="217" />
            <source>&amp;Restore overridden value</source>
            <translation>恢复被覆盖值(&amp;R)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="218" />
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="356" />
            <source>Put the overridden value back (an edit you can undo)</source>
            <translation>恢复被覆盖的值（可撤销）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="247" />
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="303" />
            <source>(row deleted)</source>
            <translation>（记录已删除）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="252" />
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="298" />
            <source>(whole row)</source>
            <translation>（整条记录）</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="272" />
            <source>%n conflict(s)</source>
            <translation>
                <numerusform>%n 个冲突</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="154" />
            <source>A finding or task only moves forward in its loop: the step further along was kept, with its notes, people and times.</source>
            <translation>问题或任务的流程只能前进：保留了流程更靠后的一步，连同其说明、人员和时间。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="156" />
            <source>Both changed this field; the edit made later (by its time) was kept.</source>
            <translation>双方都修改了这个字段；保留了（按时间）较晚的修改。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="157" />
            <source>Both changed this field at the same time; the edit synced last was kept.</source>
            <translation>双方同时修改了这个字段；保留了最后同步的修改。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="159" />
            <source>The record was deleted on one side; the delete stands and the edit is kept here for the record.</source>
            <translation>一方删除了这条记录；删除生效，另一方的修改保存在这里备查。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="210" />
            <source>Record</source>
            <translation>记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="291" />
            <source>Select a conflict to see both values.</source>
            <translation>选择一条冲突，查看双方的值。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="306" />
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="307" />
            <source>from %s</source>
            <translation>来自 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="309" />
            <source>Rule: %s</source>
            <translation>规则：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="310" />
            <source>Decided by the sync of %s (Beijing time)</source>
            <translation>由 %s（北京时间）的同步裁定</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="312" />
            <source>%1 by %2, %3</source>
            <translation>%2 于 %3 %1</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="212" />
            <source>Selected conflict</source>
            <translation>选中的冲突</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="213" />
            <source>Kept (in the project now)</source>
            <translation>保留的值（现在项目中）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="214" />
            <source>Overwritten (not in the project)</source>
            <translation>被覆盖的值（不在项目中）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="215" />
            <source>Show on map</source>
            <translation>在地图上显示</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="215" />
            <source>Show the record this conflict is about</source>
            <translation>在地图上显示这条冲突涉及的记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/conflicts.py" line="260" />
            <source>Kept: %1
Overwritten: %2</source>
            <translation>保留：%1
被覆盖：%2</translation>
        </message>
    </context>
    <context>
        <name>CoveragePanel</name>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="224" />
            <source>Patrol coverage</source>
            <extracomment>Periods always computed (the choices of the period box); a custom period is added to them. Table columns: key of the aggregate frame (``{d}`` is the period in days). Select the cells whose ``column`` (township_code / inspector_uuid) equals ``value`` ('' = none). The map colours cells by days since the last visit (True) or draws them plainly. Assign inspections for these cell codes; the text describes them for the dialog. Fixed "now" for tests and reproducible reports; None: the clock. The end of a past period the window chose (a custom range): coverage as of then; None: now. A refresh was skipped while nobody looked (panel hidden, map switch off): run it when shown. Refreshes wait (the window's first paint of a project comes first: two cores); release() runs one.</extracomment>
            <translation>巡查覆盖</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="225" />
            <source>Period:</source>
            <translation>统计期：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="226" />
            <source>Last 7 days</source>
            <translation>近7天</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="227" />
            <source>Last 30 days</source>
            <translation>近30天</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="228" />
            <source>Custom</source>
            <translation>自定义</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="229" />
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="247" />
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="230" />
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="235" />
            <source>Colour cells by days since last visit</source>
            <translation>按距上次巡查天数为网格着色</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="236" />
            <source>Never-inspected cells are hatched; cells visited before but overdue now get a bold outline</source>
            <translation>从未巡查的网格加斜线；曾巡查但已超期的网格加粗边框</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="238" />
            <source>Townships</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="239" />
            <source>Inspectors</source>
            <translation>网格员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="240" />
            <source>Assign overdue cells…</source>
            <translation>派发超期网格巡查…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="241" />
            <source>Assign patrols for the overdue cells of the chosen township or inspector</source>
            <translation>为所选乡镇或网格员的超期网格派发巡查任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="243" />
            <source>Patrol interval per cell class (days)</source>
            <translation>各类网格巡查周期（天）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="245" />
            <source>Default intervals</source>
            <translation>恢复默认周期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="256" />
            <source>Cells</source>
            <translation>网格数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="256" />
            <source>Inspected</source>
            <translation>已巡网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="256" />
            <source>Coverage %</source>
            <translation>覆盖率%</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="257" />
            <source>Never inspected</source>
            <translation>从未巡查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="257" />
            <source>Overdue</source>
            <translation>超期未巡</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="257" />
            <source>Open findings</source>
            <translation>未销号问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="258" />
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="259" />
            <source>Inspector</source>
            <translation>网格员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="271" />
            <source>(%d cells)</source>
            <translation>（%d 个网格）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="411" />
            <source>Updating…</source>
            <translation>正在更新…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="421" />
            <source>Updating… %d%%</source>
            <translation>正在更新… %d%%</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="427" />
            <source>Updated at %s</source>
            <translation>更新于 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="434" />
            <source>Coverage could not be computed: %s</source>
            <translation>无法计算巡查覆盖：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="457" />
            <source>Last %d days: %d of %d cells inspected (%.1f%%); never inspected %d; overdue %d; open findings %d</source>
            <translation>近%d天：%d / %d 个网格已巡查（%.1f%%）；从未巡查 %d；超期未巡 %d；未销号问题 %d</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="462" />
            <source>Up to %s</source>
            <translation>截至 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="475" />
            <source>(no inspector)</source>
            <translation>（未分配网格员）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="551" />
            <source>Overdue cells of %s (%d)</source>
            <translation>%s 的超期网格（%d 个）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="233" />
            <source>What counts as a visit: reported inspections, cells walked by patrol track, or either</source>
            <translation>什么算作巡查：上报的检查、巡查轨迹走过的网格，或两者任一</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/coverage_panel.py" line="244" />
            <source>Follow the district's seasonal calendar</source>
            <translation>按本区季节日历</translation>
        </message>
    </context>
    <context>
        <name>DashboardWidget</name>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="269" />
            <source>Month (Beijing time):</source>
            <extracomment>Fonts that hold Chinese glyphs, in order of preference (as the map labels use). Finding states as on the map (the one palette, gridwatch.layers.palette). Settings key of the dashboard's period.</extracomment>
            <translation>月份（北京时间）：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="270" />
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="271" />
            <source>Inspections per week</source>
            <translation>每周检查次数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="272" />
            <source>Findings of the period by category and status</source>
            <translation>本时段问题（按类别和状态）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="273" />
            <source>Closure rate (%) and overdue per township</source>
            <translation>各乡镇整改率(%)和超期数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="274" />
            <source>Fire points per week and their checks</source>
            <translation>每周火点及核查情况</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="276" />
            <source>Save image…</source>
            <translation>保存图片…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="279" />
            <source>Coverage</source>
            <translation>巡查覆盖率</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="279" />
            <source>Closure rate</source>
            <translation>问题整改率</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="280" />
            <source>Overdue per cell (fewer is better)</source>
            <translation>每网格超期数（越少越好）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="281" />
            <source>Fire checks in time</source>
            <translation>火点按时核查率</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="282" />
            <source>Fire points per cell (fewer is better)</source>
            <translation>每网格火点数（越少越好）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="285" />
            <source>Default weights</source>
            <translation>恢复默认权重</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="286" />
            <source>Export ranking…</source>
            <translation>导出排名…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="449" />
            <source>Overdue findings</source>
            <translation>超期问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="450" />
            <source>Overdue tasks</source>
            <translation>超期任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="292" />
            <source>Fire points</source>
            <translation>火点数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="288" />
            <source>Inspections</source>
            <translation>检查次数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="289" />
            <source>Findings</source>
            <translation>问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="290" />
            <source>Closure rate (%)</source>
            <translation>整改率(%)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="291" />
            <source>Overdue</source>
            <translation>超期未巡</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="367" />
            <source>Updating…</source>
            <extracomment>In the main window the dashboard is a hidden dock most of the time: it then only notes that its charts are stale and recomputes when it is shown.</extracomment>
            <translation>正在更新…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="379" />
            <source>Updated at %s</source>
            <translation>更新于 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="384" />
            <source>Statistics could not be computed: %s</source>
            <translation>统计失败：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="419" />
            <source>%d inspections in %d weeks (weeks start on Monday, Beijing time)</source>
            <translation>共检查 %d 次，%d 周（每周从周一开始，北京时间）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="436" />
            <source>%d findings found in %s</source>
            <translation>发现问题 %d 个（%s）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="459" />
            <source>Closure: findings of %s verified or closed; %d townships had no findings (shown as 0). Overdue: open and past the deadline.</source>
            <translation>整改率：%s 发现的问题中已核查或已销号的比例；%d 个乡镇无问题（显示为 0）。超期：未整改到位且已过期限。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="467" />
            <source>Checked in time</source>
            <translation>按时核查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="467" />
            <source>Checked late</source>
            <translation>超时核查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="468" />
            <source>Check cancelled</source>
            <translation>任务撤销</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="468" />
            <source>Check overdue</source>
            <translation>超期未核查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="469" />
            <source>Check not yet due</source>
            <translation>核查中（未到期）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="469" />
            <source>No check</source>
            <translation>未派核查任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="482" />
            <source>%d fire points in %d weeks; checked in time: %s; median hours from detection to check: %s</source>
            <translation>火点 %d 个（近 %d 周）；按时核查率：%s；监测至核查完成中位时长（小时）：%s</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="485" />
            <source>%n detection(s) of persistent heat sources left out</source>
            <translation>
                <numerusform>持续热源的 %n 次监测未计入</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="514" />
            <source>Give at least one weight above zero; the ranking shown is the last valid one.</source>
            <translation>请至少给一个指标大于零的权重；表中为上一次有效的排名。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="529" />
            <source>Save chart as image</source>
            <translation>保存图表为图片</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="530" />
            <source>PNG images (*.png)</source>
            <translation>PNG 图片 (*.png)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="547" />
            <source>Period: %s</source>
            <translation>时段：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="549" />
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="575" />
            <source>Saved %s</source>
            <translation>已保存 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="556" />
            <source>Export ranking</source>
            <translation>导出排名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="557" />
            <source>Excel workbooks (*.xlsx);;CSV files (*.csv)</source>
            <translation>Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/dashboard.py" line="277" />
            <source>Township assessment ranking: fire points by kind, shared ranks, vetoes last</source>
            <translation>乡镇考核排名：火点分类计扣、同分并列、一票否决排最后</translation>
        </message>
    </context>
    <context>
        <name>DowngradeDialog</name>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="527" />
            <source>Downgrade construction site</source>
            <translation>工地降级</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="528" />
            <source>Lower the dust grade of %s. The reason is kept in its change history.</source>
            <translation>降低“%s”的扬尘管控等级。理由记入其修改记录。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="530" />
            <source>New grade:</source>
            <translation>新等级：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="531" />
            <source>Reason:</source>
            <translation>理由：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="532" />
            <source>What the check found</source>
            <translation>检查发现的问题</translation>
        </message>
    </context>
    <context>
        <name>ExportDialog</name>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="321" />
            <source>Map (PNG/PDF)</source>
            <translation>地图（PNG/PDF）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="322" />
            <source>Web map (HTML)</source>
            <translation>交互式网页地图</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="323" />
            <source>Findings ledger</source>
            <translation>整改台账</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="324" />
            <source>Coverage table</source>
            <translation>覆盖率表</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="325" />
            <source>Monthly ranking</source>
            <translation>月通报排名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="332" />
            <source>Export for briefing</source>
            <translation>导出通报材料</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="335" />
            <source>Options</source>
            <translation>选项</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="336" />
            <source>Output file</source>
            <translation>输出文件</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="337" />
            <source>Preview</source>
            <translation>预览</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="339" />
            <source>Title:</source>
            <translation>标题：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="340" />
            <source>Default: district, township and map name</source>
            <translation>默认：区县、乡镇和图名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="341" />
            <source>Paper:</source>
            <translation>纸张：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="342" />
            <source>Orientation:</source>
            <translation>方向：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="343" />
            <source>Resolution:</source>
            <translation>分辨率：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="344" />
            <source>Pixels per inch of a PNG (300 for print); a PDF is vector</source>
            <translation>PNG每英寸像素数（打印用300）；PDF为矢量</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="345" />
            <source>Portrait</source>
            <translation>纵向</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="346" />
            <source>Landscape</source>
            <translation>横向</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="347" />
            <source>Extent:</source>
            <translation>范围：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="348" />
            <source>Theme:</source>
            <translation>专题：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="349" />
            <source>Layers in the map's styles</source>
            <translation>图层（按地图样式）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="350" />
            <source>Patrol coverage (days since the last inspection)</source>
            <translation>巡查覆盖（距上次检查天数）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="351" />
            <location filename="../../gridwatch/ui/data/export_form.py" line="354" />
            <source>Layers:</source>
            <translation>图层：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="352" />
            <source>Atlas: an overview page, then one page per township (PDF)</source>
            <translation>图集：一页总图，每个乡镇一页（PDF）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="353" />
            <location filename="../../gridwatch/ui/data/export_form.py" line="370" />
            <source>Township:</source>
            <translation>乡镇：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="362" />
            <source>Findings</source>
            <translation>问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="363" />
            <source>Fire points:</source>
            <translation>火点：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="364" />
            <source>Add those detected in the period</source>
            <translation>加入本时段监测到的火点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="365" />
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="366" />
            <source>Status:</source>
            <translation>状态：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="371" />
            <source>All</source>
            <translation>全部</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="372" />
            <source>Open only</source>
            <translation>仅未完成</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="374" />
            <source>Found, assigned and rectified: not yet verified or closed</source>
            <translation>发现、已交办和已整改：尚未核查或销号</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="375" />
            <source>Periods (days):</source>
            <translation>统计时段（天）：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="382" />
            <source>Whole days separated by commas, e.g. 7,30</source>
            <translation>整数天数，用逗号分隔，如 7,30</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="383" />
            <source>Month (Beijing time):</source>
            <translation>月份（北京时间）：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="384" />
            <source>Coverage</source>
            <translation>巡查覆盖率</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="385" />
            <source>Closure rate</source>
            <translation>问题整改率</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="386" />
            <source>Overdue per cell (fewer is better)</source>
            <translation>每网格超期数（越少越好）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="387" />
            <source>Fire checks in time</source>
            <translation>火点按时核查率</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="388" />
            <source>Fire points per cell (fewer is better)</source>
            <translation>每网格火点数（越少越好）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="389" />
            <source>Weights of the indicators</source>
            <translation>指标权重</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="392" />
            <source>Default weights</source>
            <translation>恢复默认权重</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="394" />
            <source>Whole district (%s)</source>
            <translation>全区（%s）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="395" />
            <source>Whole district</source>
            <translation>全区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="396" />
            <source>Format:</source>
            <translation>格式：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="397" />
            <source>File:</source>
            <translation>文件：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="398" />
            <source>Browse…</source>
            <translation>浏览…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="399" />
            <source>Sheet:</source>
            <translation>工作表：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="400" />
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="401" />
            <source>Open folder</source>
            <translation>打开文件夹</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="402" />
            <source>Export</source>
            <translation>导出</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="403" />
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_dialog.py" line="197" />
            <source>Choose at least one layer for the map.</source>
            <translation>请为地图至少选择一个图层。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_dialog.py" line="199" />
            <source>Choose at least one layer for the web map.</source>
            <translation>请为网页地图至少选择一个图层。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_dialog.py" line="201" />
            <source>Choose at least one finding status for the ledger.</source>
            <translation>请为台账至少选择一种问题状态。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_dialog.py" line="228" />
            <source>An atlas is a multi-page PDF: choose the PDF format</source>
            <translation>图集是多页PDF：请选择PDF格式</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_dialog.py" line="324" />
            <source>Export to</source>
            <translation>导出到</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="77" />
            <source>Updating the preview…</source>
            <translation>正在更新预览…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="129" />
            <source>Layer</source>
            <translation>图层</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="129" />
            <source>Features</source>
            <translation>要素数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="132" />
            <source>%1 layers, %2 features; the file will be about %3 and opens offline in any browser.</source>
            <translation>%1个图层，%2个要素；文件约%3，可在任意浏览器中离线打开。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="154" />
            <source>Page 1 shown at %1 dpi. The PNG will be %2 at %3 dpi (%4 × %5 pixels).</source>
            <translation>预览为第1页（%1 dpi）。PNG为%2，%3 dpi（%4 × %5像素）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="158" />
            <source>Page 1 shown at %1 dpi. The PDF will be %2, %3 page(s), vector with text you can search.</source>
            <translation>预览为第1页（%1 dpi）。PDF为%2，共%3页，矢量格式，文字可搜索。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="171" />
            <source>Sheet %1: %2 rows.</source>
            <translation>工作表“%1”：%2行。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="173" />
            <source>The first %1 rows are shown.</source>
            <translation>显示前%1行。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="175" />
            <source>A CSV file holds only the first sheet (%1).</source>
            <translation>CSV文件只包含第一张工作表（%1）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="178" />
            <source>The workbook has %1 sheets: %2.</source>
            <translation>工作簿共%1张工作表：%2。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="214" />
            <source>No preview: %s</source>
            <translation>无法预览：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="233" />
            <source>Choose the file to write.</source>
            <translation>请选择要写入的文件。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="238" />
            <source>Cannot export to %1: %2</source>
            <translation>无法导出到%1：%2</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="254" />
            <source>Exporting to %s…</source>
            <translation>正在导出到%s…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="262" />
            <source>Cancelling…</source>
            <translation>正在取消…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="294" />
            <source>Written: %1 (%2)</source>
            <translation>已写入：%1（%2）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="307" />
            <source>Export cancelled; %s was not changed.</source>
            <translation>导出已取消；%s 未被改动。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="311" />
            <source>Could not write: %s</source>
            <translation>无法写入：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_run.py" line="313" />
            <source>Could not write %1: %2</source>
            <translation>无法写入%1：%2</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="355" />
            <source>Cells coloured by:</source>
            <translation>网格着色：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="356" />
            <source>Days since the last patrol</source>
            <translation>距上次巡查天数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="357" />
            <source>Nothing (plain cells)</source>
            <translation>不着色</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="358" />
            <source>What the grid cells' colour shows on the web map</source>
            <translation>网页地图上网格的颜色表示什么</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/export_form.py" line="376" />
            <location filename="../../gridwatch/ui/data/export_form.py" line="377" />
            <location filename="../../gridwatch/ui/data/export_form.py" line="378" />
            <source>Visits counted:</source>
            <translation>巡查依据：</translation>
        </message>
    </context>
    <context>
        <name>Features</name>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="41" />
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="41" />
            <source>Village</source>
            <translation>村</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="42" />
            <source>Grid cell</source>
            <translation>网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="42" />
            <source>Coal-ban zone</source>
            <translation>禁煤区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="43" />
            <source>Fireworks-ban zone</source>
            <translation>禁燃禁放区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="43" />
            <source>Mine</source>
            <translation>矿山</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="44" />
            <source>Construction site</source>
            <translation>工地</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="44" />
            <source>Key area</source>
            <translation>重点区域</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="45" />
            <source>Fire point</source>
            <translation>火点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="45" />
            <source>Finding</source>
            <translation>问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="46" />
            <source>Task</source>
            <translation>任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="57" />
            <source>Inspector</source>
            <translation>网格员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="46" />
            <source>Inspection</source>
            <translation>检查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="47" />
            <source>Person</source>
            <translation>人员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/texts.py" line="47" />
            <source>Photo</source>
            <translation>照片</translation>
        </message>
    </context>
    <context>
        <name>FieldPanel</name>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="146" />
            <source>Stop</source>
            <translation>停止</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="146" />
            <source>Start</source>
            <translation>开始</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="149" />
            <source>In the field</source>
            <translation>野外</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="150" />
            <source>Basemap</source>
            <translation>底图</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="151" />
            <source>Add…</source>
            <translation>添加…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="152" />
            <source>Add a tile package (MBTiles, GeoPackage, PMTiles) or an OpenStreetMap extract (.osm.pbf) as a basemap of this project</source>
            <translation>把瓦片包（MBTiles、GeoPackage、PMTiles）或 OpenStreetMap 数据（.osm.pbf）添加为本项目的底图</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="155" />
            <location filename="../../gridwatch/ui/window/field.py" line="103" />
            <source>No basemap</source>
            <translation>无底图</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="156" />
            <source>GPS position</source>
            <translation>GPS 定位</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="157" />
            <source>Replay an NMEA log</source>
            <translation>回放 NMEA 记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="157" />
            <source>GPS receiver (serial port)</source>
            <translation>GPS 接收机（串口）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="158" />
            <source>gpsd</source>
            <translation>gpsd 服务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="158" />
            <source>System positioning</source>
            <translation>系统定位服务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="161" />
            <source>Locate me</source>
            <translation>我的位置</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="162" />
            <source>Follow</source>
            <translation>跟随</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="163" />
            <source>Keep my position in view</source>
            <translation>地图始终显示我的位置</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="164" />
            <source>Patrol tracks</source>
            <translation>巡查轨迹</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="165" />
            <source>Person</source>
            <translation>人员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="166" />
            <source>Day</source>
            <translation>日期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="167" />
            <source>Show on map</source>
            <translation>在地图上显示</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="168" />
            <source>Import track…</source>
            <translation>导入轨迹…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="169" />
            <source>A GPX, KML/KMZ or NMEA file from a phone or receiver, for the person and day chosen above</source>
            <translation>手机或接收机导出的 GPX、KML/KMZ 或 NMEA 文件，导入为上面所选人员和日期的轨迹</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="171" />
            <source>Remove…</source>
            <translation>删除…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="172" />
            <source>Remove a track of the person and day chosen above (you may remove your own; supervisors any); Edit &gt; Undo brings it back</source>
            <translation>删除上面所选人员和日期的一条轨迹（可删除自己的轨迹；督查员可删除任何人的）；“编辑 &gt; 撤销”可恢复</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="174" />
            <source>Sign-in check (签到)</source>
            <translation>签到检查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="175" />
            <source>The inspections of the chosen person (or everybody) on the chosen day with no track near their cell at that time; their cells are highlighted</source>
            <translation>所选人员（或全部人员）在所选日期的检查中，当时在网格附近没有轨迹的检查；其网格在地图上高亮</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="177" />
            <source>Keep my tracks</source>
            <translation>轨迹保留</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="178" />
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="179" />
            <source>for ever</source>
            <translation>永久</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="180" />
            <source>Your own track points older than this are removed when the GPS starts</source>
            <translation>开启 GPS 时，删除本人早于此天数的轨迹点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="181" />
            <source>Record every</source>
            <translation>记录间隔</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="182" />
            <source> s</source>
            <translation> 秒</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/field_panel.py" line="183" />
            <source>While a task of yours is in progress and the GPS is on, a point is recorded this often</source>
            <translation>本人有任务在检查中且 GPS 开启时，按此间隔记录轨迹点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="85" />
            <location filename="../../gridwatch/ui/window/field.py" line="516" />
            <source>Everybody</source>
            <translation>全部人员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="144" />
            <source>OpenStreetMap roads, rivers, water and settlements, cut to the district (© OpenStreetMap contributors)</source>
            <translation>OpenStreetMap 道路、河流、水面和居民点，已裁切到本区（© OpenStreetMap 贡献者）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="147" />
            <source>GCJ-02 web tiles, shifted into place by GridWatch</source>
            <translation>GCJ-02 网络瓦片，已由 GridWatch 纠偏到正确位置</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="148" />
            <source>Raster tiles (Web Mercator, WGS 84 = CGCS2000), drawn in the map's view</source>
            <translation>栅格瓦片（Web 墨卡托，WGS 84 与 CGCS2000 一致），按地图视图重投影显示</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="154" />
            <source>Add basemap</source>
            <translation>添加底图</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="154" />
            <source>Basemaps (*.mbtiles *.gpkg *.pmtiles *.pbf *.osm)</source>
            <translation>底图 (*.mbtiles *.gpkg *.pmtiles *.pbf *.osm)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="161" />
            <source>Adding the basemap…</source>
            <translation>正在添加底图…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="175" />
            <source>NMEA log</source>
            <translation>NMEA 记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="175" />
            <source>NMEA logs (*.nmea *.nma *.log *.txt);;All files (*)</source>
            <translation>NMEA 记录 (*.nmea *.nma *.log *.txt);;所有文件 (*)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="182" />
            <source>GPS receiver</source>
            <translation>GPS 接收机</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="183" />
            <source>Serial port (e.g. /dev/ttyUSB0 or COM3):</source>
            <translation>串口（如 /dev/ttyUSB0 或 COM3）：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="234" />
            <source>No position yet</source>
            <translation>尚未定位</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="258" />
            <source>in cell %1</source>
            <translation>位于网格 %1</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="259" />
            <source>outside the grid</source>
            <translation>不在网格内</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="294" />
            <source>Not recording: a track is recorded while a task of yours is in progress and the GPS is on</source>
            <translation>未记录轨迹：本人有任务在检查中且 GPS 开启时自动记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="297" />
            <source>Recording the track of task %1: %2 points</source>
            <translation>正在记录任务 %1 的轨迹：%2 个点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="369" />
            <source>%1 tracks, %2 points</source>
            <translation>%1 条轨迹，%2 个点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="370" />
            <source>No track on that day</source>
            <translation>当天没有轨迹</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="395" />
            <source>%1 inspections, %2 with no track near their cell</source>
            <translation>%1 次检查，其中 %2 次网格附近没有轨迹</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="408" />
            <location filename="../../gridwatch/ui/window/field.py" line="429" />
            <source>Import track</source>
            <translation>导入轨迹</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="408" />
            <source>Tracks (*.gpx *.kml *.kmz *.nmea *.log)</source>
            <translation>轨迹 (*.gpx *.kml *.kmz *.nmea *.log)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="423" />
            <source>Imported %1 points</source>
            <translation>已导入 %1 个点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="470" />
            <location filename="../../gridwatch/ui/window/field.py" line="477" />
            <location filename="../../gridwatch/ui/window/field.py" line="482" />
            <source>Remove track</source>
            <translation>删除轨迹</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="470" />
            <source>No track of the chosen person and day that you may remove (you may remove your own tracks; supervisors any)</source>
            <translation>所选人员和日期没有您可以删除的轨迹（您可删除自己的轨迹；督查员可删除任何人的）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="478" />
            <source>Remove this track?</source>
            <translation>删除这条轨迹？</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="483" />
            <source>Track to remove:</source>
            <translation>要删除的轨迹：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="487" />
            <source>Removing the track…</source>
            <translation>正在删除轨迹…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="496" />
            <source>%1, %2–%3, %4 points (%5)</source>
            <translation>%1，%2–%3，%4 个点（%5）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="508" />
            <source>Track removed: %1 points</source>
            <translation>已删除轨迹：%1 个点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/field.py" line="509" />
            <source>Track restored: %1 points</source>
            <translation>已恢复轨迹：%1 个点</translation>
        </message>
    </context>
    <context>
        <name>Fields:assessment_veto</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="250" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="251" />
            <source>Township code</source>
            <translation>乡镇代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="252" />
            <source>Item</source>
            <translation>否决事项</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="253" />
            <source>Date</source>
            <translation>发生日期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="254" />
            <source>Reason</source>
            <translation>理由</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="255" />
            <source>Set by</source>
            <translation>设定人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="256" />
            <source>Set</source>
            <translation>设定时间</translation>
        </message>
    </context>
    <context>
        <name>Fields:assignment</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="146" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="147" />
            <source>Kind</source>
            <translation>任务类型</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="148" />
            <source>Cell code</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="149" />
            <source>Target layer</source>
            <translation>对象图层</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="150" />
            <source>Target</source>
            <translation>对象</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="151" />
            <source>Assignee</source>
            <translation>执行人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="152" />
            <source>Due</source>
            <translation>截止时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="153" />
            <source>Priority</source>
            <translation>优先级</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="154" />
            <source>Notes</source>
            <translation>备注</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="155" />
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="156" />
            <source>Created by</source>
            <translation>派发人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="157" />
            <source>Created</source>
            <translation>派发时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="158" />
            <source>Updated</source>
            <translation>更新时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="159" />
            <source>Started</source>
            <translation>开始时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="160" />
            <source>Finished</source>
            <translation>完成时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="161" />
            <source>Cancelled</source>
            <translation>撤销时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="162" />
            <source>Result</source>
            <translation>核查结果</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="163" />
            <source>Status note</source>
            <translation>状态说明</translation>
        </message>
    </context>
    <context>
        <name>Fields:attachment</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="196" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="197" />
            <source>Finding</source>
            <translation>问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="198" />
            <source>Role</source>
            <translation>用途</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="199" />
            <source>File name</source>
            <translation>文件名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="200" />
            <source>MIME type</source>
            <translation>类型</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="201" />
            <source>SHA-256</source>
            <translation>校验值</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="202" />
            <source>Taken</source>
            <translation>拍摄时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="203" />
            <source>Longitude</source>
            <translation>经度</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="204" />
            <source>Latitude</source>
            <translation>纬度</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="205" />
            <source>Content</source>
            <translation>内容</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="206" />
            <source>Added</source>
            <translation>上传时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="207" />
            <source>Thumbnail</source>
            <translation>缩略图</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="208" />
            <source>Flags</source>
            <translation>提示</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="209" />
            <source>Added by</source>
            <translation>上传人</translation>
        </message>
    </context>
    <context>
        <name>Fields:audit_log</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="217" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="218" />
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="219" />
            <source>User</source>
            <translation>用户</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="220" />
            <source>Action</source>
            <translation>操作</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="221" />
            <source>Table</source>
            <translation>表</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="222" />
            <source>Row</source>
            <translation>对象</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="223" />
            <source>Old values</source>
            <translation>原值</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="224" />
            <source>New values</source>
            <translation>新值</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="225" />
            <source>Details</source>
            <translation>说明</translation>
        </message>
    </context>
    <context>
        <name>Fields:campaign</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="274" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="275" />
            <source>Template</source>
            <translation>模板</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="276" />
            <source>Title</source>
            <translation>名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="277" />
            <source>Task kind</source>
            <translation>任务类型</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="278" />
            <source>First day</source>
            <translation>开始日期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="279" />
            <source>Last day</source>
            <translation>结束日期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="280" />
            <source>Days per round</source>
            <translation>每轮天数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="281" />
            <source>Township code</source>
            <translation>乡镇代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="282" />
            <source>Started by</source>
            <translation>发起人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="283" />
            <source>Started</source>
            <translation>发起时间</translation>
        </message>
    </context>
    <context>
        <name>Fields:checklist_result</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="264" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="265" />
            <source>Task</source>
            <translation>任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="266" />
            <source>Inspection</source>
            <translation>检查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="267" />
            <source>Cell code</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="268" />
            <source>Item</source>
            <translation>检查项</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="269" />
            <source>Passed</source>
            <translation>合格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="270" />
            <source>Note</source>
            <translation>说明</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="271" />
            <source>Finding</source>
            <translation>问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="272" />
            <source>Recorded by</source>
            <translation>记录人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="273" />
            <source>Recorded</source>
            <translation>记录时间</translation>
        </message>
    </context>
    <context>
        <name>Fields:coal_ban_zone</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="90" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="91" />
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="92" />
            <source>Legal basis</source>
            <translation>划定依据</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="93" />
            <source>In force from</source>
            <translation>生效日期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="94" />
            <source>In force until</source>
            <translation>失效日期</translation>
        </message>
    </context>
    <context>
        <name>Fields:construction_site</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="109" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="110" />
            <source>Name</source>
            <translation>工地名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="111" />
            <source>Developer</source>
            <translation>建设单位</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="112" />
            <source>Area (m²)</source>
            <translation>占地面积(m²)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="113" />
            <source>Dust grade</source>
            <translation>扬尘管控等级</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="114" />
            <source>Online dust monitor</source>
            <translation>在线监测</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="115" />
            <source>Start date</source>
            <translation>开工日期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="116" />
            <source>End date</source>
            <translation>竣工日期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="117" />
            <source>Township code</source>
            <translation>乡镇代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="118" />
            <source>Video monitoring</source>
            <translation>视频监控</translation>
        </message>
    </context>
    <context>
        <name>Fields:finding</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="172" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="173" />
            <source>Inspection</source>
            <translation>检查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="174" />
            <source>Cell code</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="175" />
            <source>Category</source>
            <translation>问题类别</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="176" />
            <source>Severity</source>
            <translation>严重程度</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="177" />
            <source>Description</source>
            <translation>问题描述</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="178" />
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="179" />
            <source>Rectification deadline</source>
            <translation>整改期限</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="180" />
            <source>Responsible party</source>
            <translation>责任主体</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="181" />
            <source>Found by</source>
            <translation>发现人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="182" />
            <source>Found</source>
            <translation>发现时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="183" />
            <source>Updated</source>
            <translation>更新时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="184" />
            <source>Location warning</source>
            <translation>位置提示</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="185" />
            <source>Assigned by</source>
            <translation>交办人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="186" />
            <source>Rectification note</source>
            <translation>整改说明</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="187" />
            <source>Rectification recorded by</source>
            <translation>整改记录人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="188" />
            <source>Rectified</source>
            <translation>整改时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="189" />
            <source>Verification note</source>
            <translation>核查意见</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="190" />
            <source>Verified by</source>
            <translation>核查人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="191" />
            <source>Verified</source>
            <translation>核查时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="192" />
            <source>Rejection reason</source>
            <translation>驳回原因</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="193" />
            <source>Times rejected</source>
            <translation>驳回次数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="194" />
            <source>Closed by</source>
            <translation>销号人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="195" />
            <source>Closed</source>
            <translation>销号时间</translation>
        </message>
    </context>
    <context>
        <name>Fields:fire_point</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="125" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="126" />
            <source>Detected (UTC)</source>
            <translation>监测时间(UTC)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="127" />
            <source>Detected (Beijing time)</source>
            <translation>监测时间(北京时间)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="128" />
            <source>Source</source>
            <translation>数据源</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="129" />
            <source>Satellite</source>
            <translation>卫星</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="130" />
            <source>Confidence (0-100)</source>
            <translation>置信度</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="131" />
            <source>FRP (MW)</source>
            <translation>火辐射功率(MW)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="132" />
            <source>Cell code</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="133" />
            <source>Village code</source>
            <translation>村级代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="134" />
            <source>Township code</source>
            <translation>乡镇代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="135" />
            <source>Verification status</source>
            <translation>核查状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="136" />
            <source>Check task</source>
            <translation>核查任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="137" />
            <source>FIRMS type</source>
            <translation>火点类型(FIRMS)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="138" />
            <source>Persistent heat source</source>
            <translation>持续热源</translation>
        </message>
    </context>
    <context>
        <name>Fields:fireworks_ban_zone</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="95" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="96" />
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="97" />
            <source>Legal basis</source>
            <translation>划定依据</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="98" />
            <source>In force from</source>
            <translation>生效日期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="99" />
            <source>In force until</source>
            <translation>失效日期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="100" />
            <source>Banned all year</source>
            <translation>全年禁放</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="101" />
            <source>Ban period start (MM-DD)</source>
            <translation>禁放起始(月-日)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="102" />
            <source>Ban period end (MM-DD)</source>
            <translation>禁放截止(月-日)</translation>
        </message>
    </context>
    <context>
        <name>Fields:grid_cell</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="83" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="84" />
            <source>Code</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="85" />
            <source>Name</source>
            <translation>网格名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="86" />
            <source>Village code</source>
            <translation>村级代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="87" />
            <source>Township code</source>
            <translation>乡镇代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="88" />
            <source>Level</source>
            <translation>网格级别</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="89" />
            <source>Inspector</source>
            <translation>网格员</translation>
        </message>
    </context>
    <context>
        <name>Fields:gridwatch_meta</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="284" />
            <source>Key</source>
            <translation>项</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="285" />
            <source>Value</source>
            <translation>值</translation>
        </message>
    </context>
    <context>
        <name>Fields:inspection</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="164" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="165" />
            <source>Assignment</source>
            <translation>任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="166" />
            <source>Cell code</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="167" />
            <source>Inspector</source>
            <translation>检查人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="168" />
            <source>Kind</source>
            <translation>检查类型</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="169" />
            <source>Started</source>
            <translation>开始时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="170" />
            <source>Finished</source>
            <translation>完成时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="171" />
            <source>Notes</source>
            <translation>备注</translation>
        </message>
    </context>
    <context>
        <name>Fields:inspector</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="139" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="140" />
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="141" />
            <source>Role</source>
            <translation>角色</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="142" />
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="143" />
            <source>Township code</source>
            <translation>所属乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="144" />
            <source>Active</source>
            <translation>在岗</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="145" />
            <source>Village code</source>
            <translation>所属村/社区</translation>
        </message>
    </context>
    <context>
        <name>Fields:key_area</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="119" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="120" />
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="121" />
            <source>Kind</source>
            <translation>类型</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="122" />
            <source>Control radius (m)</source>
            <translation>管控半径(m)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="123" />
            <source>Township code</source>
            <translation>乡镇代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="124" />
            <source>Note</source>
            <translation>备注</translation>
        </message>
    </context>
    <context>
        <name>Fields:mine</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="103" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="104" />
            <source>Name</source>
            <translation>矿山名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="105" />
            <source>Kind</source>
            <translation>矿种</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="106" />
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="107" />
            <source>Operator</source>
            <translation>经营单位</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="108" />
            <source>Township code</source>
            <translation>乡镇代码</translation>
        </message>
    </context>
    <context>
        <name>Fields:pollution_warning</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="257" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="258" />
            <source>Level</source>
            <translation>预警级别</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="259" />
            <source>Starts</source>
            <translation>开始时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="260" />
            <source>Ends</source>
            <translation>结束时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="261" />
            <source>Note</source>
            <translation>说明</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="262" />
            <source>Declared by</source>
            <translation>发布人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="263" />
            <source>Declared</source>
            <translation>发布时间</translation>
        </message>
    </context>
    <context>
        <name>Fields:sync_conflict</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="226" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="227" />
            <source>Sync</source>
            <translation>同步</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="228" />
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="229" />
            <source>Table</source>
            <translation>表</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="230" />
            <source>Row</source>
            <translation>对象</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="231" />
            <source>Field</source>
            <translation>字段</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="232" />
            <source>Kept value</source>
            <translation>保留值</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="233" />
            <source>Overridden value</source>
            <translation>被覆盖值</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="234" />
            <source>Kept from</source>
            <translation>保留方</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="235" />
            <source>Overridden from</source>
            <translation>覆盖方</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="236" />
            <source>Rule</source>
            <translation>规则</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="237" />
            <source>Review status</source>
            <translation>处理状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="238" />
            <source>Reviewed by</source>
            <translation>审核人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="239" />
            <source>Reviewed</source>
            <translation>审核时间</translation>
        </message>
    </context>
    <context>
        <name>Fields:sync_log</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="240" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="241" />
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="242" />
            <source>User</source>
            <translation>用户</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="243" />
            <source>Computer</source>
            <translation>计算机</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="244" />
            <source>Sent</source>
            <translation>上传</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="245" />
            <source>Received</source>
            <translation>下载</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="246" />
            <source>Conflicts</source>
            <translation>冲突</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="247" />
            <source>Refused</source>
            <translation>拒绝</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="248" />
            <source>Details</source>
            <translation>说明</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="249" />
            <source>Tables changed</source>
            <translation>变更的表</translation>
        </message>
    </context>
    <context>
        <name>Fields:township</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="74" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="75" />
            <source>Code</source>
            <translation>乡镇代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="76" />
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="77" />
            <source>County code</source>
            <translation>区县代码</translation>
        </message>
    </context>
    <context>
        <name>Fields:track_point</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="210" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="211" />
            <source>Track</source>
            <translation>轨迹</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="212" />
            <source>Inspector</source>
            <translation>巡查人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="213" />
            <source>Assignment</source>
            <translation>任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="214" />
            <source>Recorded</source>
            <translation>记录时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="215" />
            <source>Accuracy (m)</source>
            <translation>精度(米)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="216" />
            <source>Source</source>
            <translation>来源</translation>
        </message>
    </context>
    <context>
        <name>Fields:village</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="78" />
            <source>UUID</source>
            <translation>唯一标识</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="79" />
            <source>Code</source>
            <translation>村级代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="80" />
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="81" />
            <source>Township code</source>
            <translation>乡镇代码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="82" />
            <source>Kind</source>
            <translation>类型</translation>
        </message>
    </context>
    <context>
        <name>FindingActionDialog</name>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="145" />
            <source>Assign for rectification</source>
            <translation>交办整改</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="145" />
            <source>Record rectification</source>
            <translation>记录整改</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="146" />
            <source>Verify</source>
            <translation>核查通过</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="146" />
            <source>Reject</source>
            <translation>驳回</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="146" />
            <source>Close</source>
            <translation>销号</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="158" />
            <source>Rectification deadline</source>
            <translation>整改期限</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="158" />
            <source>Responsible party</source>
            <translation>责任主体</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="159" />
            <source>Verification note</source>
            <translation>核查意见</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="159" />
            <source>What was done</source>
            <translation>整改措施</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="160" />
            <source>Photos after rectification</source>
            <translation>整改后照片</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="160" />
            <source>Reason for rejecting</source>
            <translation>驳回原因</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="164" />
            <source>Company, household or office that must rectify</source>
            <translation>负责整改的单位、住户或部门</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="166" />
            <source>Add photos…</source>
            <translation>添加照片…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="168" />
            <source>Remove photo</source>
            <translation>移除照片</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="170" />
            <source>What was done to rectify the problem</source>
            <translation>为整改问题采取了哪些措施</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="172" />
            <source>Why the rectification is not accepted</source>
            <translation>整改为何不予通过</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="174" />
            <source>Close this finding? Closed findings can no longer be changed.</source>
            <translation>确定销号？销号后的问题不能再修改。</translation>
        </message>
    </context>
    <context>
        <name>FindingDialog</name>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="329" />
            <source>Record finding</source>
            <translation>记录问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="334" />
            <source>Category</source>
            <translation>问题类别</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="334" />
            <source>Severity</source>
            <translation>严重程度</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="335" />
            <source>Description</source>
            <translation>问题描述</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="335" />
            <source>Location</source>
            <translation>位置</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="336" />
            <source>Photos</source>
            <translation>照片</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="336" />
            <source>Rectification deadline</source>
            <translation>整改期限</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="337" />
            <source>Responsible party</source>
            <translation>责任主体</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="341" />
            <source>Task: %s in cell %s</source>
            <translation>任务：%s，网格 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="344" />
            <source>Recorded directly in cell %s (no task)</source>
            <translation>直接记录于网格 %s（无任务）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="345" />
            <source>What was found, where exactly, who is involved</source>
            <translation>发现了什么、具体位置、涉及谁</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="346" />
            <source>Pick on map</source>
            <translation>在地图上选取</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="346" />
            <source>Click the map to place the finding</source>
            <translation>点击地图确定问题位置</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="347" />
            <source>Add photos…</source>
            <translation>添加照片…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="348" />
            <source>Remove photo</source>
            <translation>移除照片</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="349" />
            <source>Set a deadline</source>
            <translation>设定期限</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="350" />
            <source>Company, household or office that must rectify</source>
            <translation>负责整改的单位、住户或部门</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="375" />
            <source>cell %s</source>
            <translation>网格 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="377" />
            <source>The location is outside cell %s</source>
            <translation>位置在网格 %s 之外</translation>
        </message>
    </context>
    <context>
        <name>FindingEditDialog</name>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="494" />
            <source>Correct finding</source>
            <translation>修改问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="499" />
            <source>Category</source>
            <translation>问题类别</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="499" />
            <source>Severity</source>
            <translation>严重程度</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="500" />
            <source>Description</source>
            <translation>问题描述</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="500" />
            <source>Rectification deadline</source>
            <translation>整改期限</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="501" />
            <source>Responsible party</source>
            <translation>责任主体</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="504" />
            <source>Set a deadline</source>
            <translation>设定期限</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/dialogs.py" line="505" />
            <source>Company, household or office that must rectify</source>
            <translation>负责整改的单位、住户或部门</translation>
        </message>
    </context>
    <context>
        <name>FindingPhotos</name>
        <message>
            <location filename="../../gridwatch/ui/findings/common.py" line="226" />
            <source>Add photos</source>
            <extracomment>The loop's actions in the order their buttons appear. Item data role holding a finding's (column 0 of the table) or a photo's uuid. Item data role holding the value a table column sorts by. What an inspection kind usually finds: the category preselected when recording under a task. Finding columns the history leaves out (locations, bookkeeping, blobs, stamps shown as the time). Finding columns the history shows for a newly recorded finding.</extracomment>
            <translation>添加照片</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/common.py" line="228" />
            <source>Images</source>
            <translation>图片</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/common.py" line="249" />
            <source>%s: this photo is already added</source>
            <translation>%s：该照片已添加</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/common.py" line="277" />
            <source>no time</source>
            <translation>无时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/common.py" line="278" />
            <source>unknown</source>
            <translation>未知</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/common.py" line="279" />
            <source>Taken: %s</source>
            <translation>拍摄时间：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/common.py" line="281" />
            <source>Position: %.6f, %.6f</source>
            <translation>拍摄位置：%.6f, %.6f</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/common.py" line="284" />
            <source>Position: unknown</source>
            <translation>拍摄位置：未知</translation>
        </message>
    </context>
    <context>
        <name>FindingsPanel</name>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="242" />
            <source>Assign for rectification</source>
            <extracomment>Reads of the findings after an edit, one at a time and in order. The list was read again after an edit (on a worker) and shown. Live panels (for :func:`reads_pending`). The findings listed, the chosen one's history and attachments (empty until read after the first paint).</extracomment>
            <translation>交办整改</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="242" />
            <source>Record rectification</source>
            <translation>记录整改</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="243" />
            <source>Verify</source>
            <translation>核查通过</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="243" />
            <source>Reject</source>
            <translation>驳回</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="243" />
            <source>Close</source>
            <translation>销号</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="247" />
            <source>Findings</source>
            <translation>问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="248" />
            <location filename="../../gridwatch/ui/findings/panel.py" line="258" />
            <source>Category</source>
            <translation>问题类别</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="249" />
            <location filename="../../gridwatch/ui/findings/panel.py" line="258" />
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="250" />
            <location filename="../../gridwatch/ui/findings/panel.py" line="258" />
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="252" />
            <location filename="../../gridwatch/ui/findings/panel.py" line="255" />
            <source>All</source>
            <translation>全部</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="256" />
            <source>Overdue only</source>
            <translation>仅逾期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="258" />
            <source>Found</source>
            <translation>发现时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="258" />
            <source>Severity</source>
            <translation>严重程度</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="259" />
            <source>Village</source>
            <translation>村</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="259" />
            <source>Cell</source>
            <translation>网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="259" />
            <source>Responsible party</source>
            <translation>责任主体</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="259" />
            <source>Deadline</source>
            <translation>整改期限</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="260" />
            <source>Photos</source>
            <translation>照片</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="261" />
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="261" />
            <source>Who</source>
            <translation>操作人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="261" />
            <source>Action</source>
            <translation>操作</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="261" />
            <source>Changes</source>
            <translation>变更内容</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="262" />
            <location filename="../../gridwatch/ui/findings/panel.py" line="263" />
            <source>Details</source>
            <translation>说明</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="264" />
            <source>History</source>
            <translation>处理记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="267" />
            <source>Edit…</source>
            <translation>修改…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="271" />
            <source>Correct the category, severity, description, party or deadline</source>
            <translation>修改问题类别、严重程度、描述、责任主体或期限</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="80" />
            <location filename="../../gridwatch/ui/findings/panel.py" line="348" />
            <source>overdue</source>
            <translation>逾期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="382" />
            <source>%d photo(s) taken far from the cell or outside the task time</source>
            <translation>%d 张照片拍摄位置远离网格或不在任务时间内</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="399" />
            <source>No project open</source>
            <translation>未打开项目</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/findings/panel.py" line="401" />
            <location filename="../../gridwatch/ui/findings/panel.py" line="404" />
            <source>%n finding(s)</source>
            <translation>
                <numerusform>%n 个问题</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/findings/panel.py" line="401" />
            <source>%n overdue</source>
            <translation>
                <numerusform>%n 个逾期</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="70" />
            <source>Select a finding to see its details.</source>
            <translation>选择一个问题查看详情。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="81" />
            <source>Place</source>
            <translation>位置</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="82" />
            <source>Location</source>
            <translation>坐标</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="83" />
            <source>rejected %d times</source>
            <translation>已驳回 %d 次</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="160" />
            <source>Before</source>
            <comment>photo taken before rectification (整改前)</comment>
            <translation>整改前</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="161" />
            <source>After</source>
            <comment>photo taken after rectification (整改后)</comment>
            <translation>整改后</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="167" />
            <source>Taken: %s</source>
            <translation>拍摄时间：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="166" />
            <source>unknown</source>
            <translation>未知</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="170" />
            <source>Position: %.6f, %.6f</source>
            <translation>拍摄位置：%.6f, %.6f</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="171" />
            <source>Position: unknown</source>
            <translation>拍摄位置：未知</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="237" />
            <source>Recorded</source>
            <translation>记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="237" />
            <source>Photos added</source>
            <translation>添加照片</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="241" />
            <source>Undo: %s</source>
            <translation>撤销：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="243" />
            <source>Redo: %s</source>
            <translation>重做：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="268" />
            <source>Deleted</source>
            <translation>删除</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="275" />
            <source>Photos +%d</source>
            <translation>照片 +%d</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="277" />
            <source>Photos −%d</source>
            <translation>照片 −%d</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="495" />
            <source>Updating…</source>
            <translation>正在更新…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="268" />
            <source>Notice (Word)…</source>
            <translation>交办单（Word）…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="269" />
            <source>The assignment notice of this finding: cell, place, photo, deadline, responsible party</source>
            <translation>本问题的交办单：网格、位置、照片、整改期限、责任主体</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="538" />
            <source>Save the assignment notice</source>
            <translation>保存交办单</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="539" />
            <source>Word documents (*.docx)</source>
            <translation>Word 文档 (*.docx)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/panel.py" line="554" />
            <source>Wrote %s</source>
            <translation>已写入 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="149" />
            <source>From checklist item: %1 (failed)</source>
            <translation>来自检查清单项：%1（不合格）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/findings/details.py" line="153" />
            <source>inspection: %1 by %2, started %3</source>
            <translation>检查：%1，%2，开始于 %3</translation>
        </message>
    </context>
    <context>
        <name>FireChecksDialog</name>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="301" />
            <source>%1 unverified fire point(s) without a check → %2 check(s)</source>
            <translation>%1 个未核查且未派发的火点 → %2 个核查任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="304" />
            <source>No unverified fire points without a check for this choice.</source>
            <translation>按当前条件没有未核查且未派发的火点。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="309" />
            <source>Create fire-point checks</source>
            <translation>生成火点核查任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="313" />
            <source>&amp;Deadline:</source>
            <translation>完成时限(&amp;D)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="314" />
            <source>&amp;Township:</source>
            <translation>乡镇(&amp;T)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="310" />
            <source>One check per cell per day for the unverified fire points detected since the last run of checks (at most the last 24 hours) that are not yet in a check. Each check goes to the cell's inspector.</source>
            <translation>为上次创建核查任务以来（最多近24小时）监测到、尚未核查且未派任务的火点，每个网格每天创建一个核查任务，派给该网格的网格员。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="315" />
            <source>Detections of the last:</source>
            <translation>监测时间范围：近</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="316" />
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="321" />
            <source> h</source>
            <translation> 小时</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="317" />
            <source>At most this far back (24 hours unless you change it)</source>
            <translation>最多向前追溯这么久（默认24小时）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="318" />
            <source>also those before the last run</source>
            <translation>包括上次创建之前的火点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="319" />
            <source>Detections not yet in a check that came in before the last run (for instance after a holiday)</source>
            <translation>上次创建任务之前已监测到、但尚未派核查任务的火点（例如节假日之后）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="322" />
            <source>Hours from now until the checks are due</source>
            <translation>从现在起多少小时内完成核查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="323" />
            <source>All townships</source>
            <translation>全部乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="325" />
            <source>Create checks</source>
            <translation>生成任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="328" />
            <source>Only a grid chief, supervisor or administrator may create fire-point checks.</source>
            <translation>只有网格长、督查员或管理员可以创建火点核查任务。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="357" />
            <source>No checks were created before: detections since %1 (Beijing time).</source>
            <translation>此前未创建过核查任务：取 %1（北京时间）以来的火点。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/dialogs.py" line="359" />
            <source>Last run of checks: %2. New detections since %1 (Beijing time).</source>
            <translation>上次创建核查任务：%2。取 %1（北京时间）以来新监测到的火点。</translation>
        </message>
    </context>
    <context>
        <name>GpsSource</name>
        <message>
            <location filename="../../gridwatch/ui/map/gps.py" line="57" />
            <source>Cannot open %1</source>
            <translation>无法打开 %1</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/gps.py" line="69" />
            <source>Cannot open the receiver on %1: %2</source>
            <translation>无法打开 %1 上的接收机：%2</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/gps.py" line="95" />
            <source>gpsd at %1:%2: %3</source>
            <translation>gpsd（%1:%2）：%3</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/gps.py" line="104" />
            <source>This computer has no positioning service</source>
            <translation>本机没有定位服务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/gps.py" line="141" />
            <source>Positioning error %1</source>
            <translation>定位错误 %1</translation>
        </message>
    </context>
    <context>
        <name>Groups</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="69" />
            <source>Boundaries</source>
            <translation>边界</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="70" />
            <source>Zones</source>
            <translation>管控区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="71" />
            <source>Sources</source>
            <translation>污染源</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="72" />
            <source>Key areas</source>
            <translation>重点区域</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="73" />
            <source>Fire points</source>
            <translation>火点</translation>
        </message>
    </context>
    <context>
        <name>HistoryDialog</name>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="566" />
            <source>Change history</source>
            <translation>变更记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="569" />
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="569" />
            <source>Who</source>
            <translation>操作人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="569" />
            <source>Action</source>
            <translation>操作</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="569" />
            <source>Changes</source>
            <translation>变更内容</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="570" />
            <source>Note</source>
            <translation>说明</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="577" />
            <source>No recorded changes</source>
            <translation>无变更记录</translation>
        </message>
    </context>
    <context>
        <name>IdentifyPanel</name>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="402" />
            <source>Identify</source>
            <translation>识别</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="403" />
            <source>Field</source>
            <translation>字段</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="403" />
            <source>Value</source>
            <translation>值</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="404" />
            <source>Record</source>
            <translation>记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="404" />
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="404" />
            <source>When</source>
            <translation>时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="405" />
            <source>Change history…</source>
            <translation>变更记录…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="405" />
            <source>Who created or changed this, and when</source>
            <translation>谁在何时新建或修改了它</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="407" />
            <source>Click a feature on the map to see its attributes.</source>
            <translation>在地图上点击要素查看其属性。</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/map/panels.py" line="430" />
            <source>Tasks (%n)</source>
            <translation>
                <numerusform>任务 (%n)</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="432" />
            <location filename="../../gridwatch/ui/map/panels.py" line="458" />
            <source> · overdue</source>
            <translation> · 逾期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="434" />
            <source>due %s</source>
            <translation>截止 %s</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/map/panels.py" line="438" />
            <source>Inspections (%n)</source>
            <translation>
                <numerusform>检查 (%n)</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="440" />
            <source>finished</source>
            <translation>已完成</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="440" />
            <source>in progress</source>
            <translation>进行中</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/map/panels.py" line="456" />
            <source>Findings (%n)</source>
            <translation>
                <numerusform>问题 (%n)</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="483" />
            <source>Nothing here. Click a feature on the map to see its attributes.</source>
            <translation>此处没有要素。在地图上点击要素查看其属性。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="447" />
            <source>passed</source>
            <translation>合格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="447" />
            <source>failed</source>
            <translation>不合格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="453" />
            <source>Became a finding (double-click to open it)</source>
            <translation>已转为问题（双击打开）</translation>
        </message>
    </context>
    <context>
        <name>ImportDialog</name>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="337" />
            <source>Choose a file to import</source>
            <extracomment>Emitted with the :class:`~gridwatch.importers.pipeline.ImportReport` once the import is written. The user chose the layer themselves: a fire-point file no longer switches it. Replacements of values the layer does not allow: {field: {value in the file: code}}.</extracomment>
            <translation>选择要导入的文件</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="339" />
            <source>All supported files (*.shp *.zip *.geojson *.json *.gpkg *.kml *.kmz *.csv *.xlsx)</source>
            <translation>所有支持的文件 (*.shp *.zip *.geojson *.json *.gpkg *.kml *.kmz *.csv *.xlsx)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="340" />
            <source>Shapefiles (*.shp *.zip)</source>
            <translation>Shapefile 文件 (*.shp *.zip)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="341" />
            <source>GeoJSON (*.geojson *.json)</source>
            <translation>GeoJSON (*.geojson *.json)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="342" />
            <source>GeoPackage (*.gpkg)</source>
            <translation>GeoPackage (*.gpkg)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="343" />
            <source>KML (*.kml *.kmz)</source>
            <translation>KML (*.kml *.kmz)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="344" />
            <source>CSV tables (*.csv)</source>
            <translation>CSV 表格 (*.csv)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="345" />
            <source>Excel workbooks (*.xlsx)</source>
            <translation>Excel 工作簿 (*.xlsx)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="346" />
            <source>All files (*)</source>
            <translation>所有文件 (*)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="90" />
            <source>File not found: %s</source>
            <translation>找不到文件:%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="99" />
            <source>Reading %s…</source>
            <translation>正在读取 %s…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="159" />
            <source>Unexpected error while reading the file (details are in the log): </source>
            <translation>读取文件时发生意外错误(详情见日志):</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="164" />
            <source>This file holds several layers; choose one under “Layer in the file”.</source>
            <translation>该文件包含多个图层,请在“文件中的图层”中选择一个。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="181" />
            <source>Type the coordinate system of the file in the “Coordinate system” box, e.g. 4490 or EPSG:4547.</source>
            <translation>请在“坐标系”框中填写文件的坐标系,例如 4490 或 EPSG:4547。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="41" />
            <source>none</source>
            <translation>无</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="213" />
            <source>{format}: {count} features, geometry {geometry} (first {shown} shown)</source>
            <translation>{format}:{count} 个要素,几何类型 {geometry}(显示前 {shown} 个)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="217" />
            <source>{format}: geometry {geometry} ({shown} features shown)</source>
            <translation>{format}:几何类型 {geometry}(显示 {shown} 个要素)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="221" />
            <source>Encoding: {encoding} ({how})</source>
            <translation>编码:{encoding}({how})</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="224" />
            <source>Coordinate system: {crs} ({how})</source>
            <translation>坐标系:{crs}({how})</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="225" />
            <source>unknown</source>
            <translation>未知</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="234" />
            <source>from file</source>
            <translation>来自文件</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="236" />
            <source>guessed</source>
            <translation>推测</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="238" />
            <source>as entered</source>
            <translation>按输入</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="240" />
            <source>missing</source>
            <translation>缺失</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="247" />
            <source>from the .cpg file</source>
            <translation>来自 .cpg 文件</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="249" />
            <source>detected</source>
            <translation>自动识别</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="251" />
            <source>detected; the .cpg file names a wrong one</source>
            <translation>自动识别;.cpg 文件标注的编码有误</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="253" />
            <source>as chosen</source>
            <translation>按所选</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="255" />
            <source>always UTF-8 in this format</source>
            <translation>此格式固定为 UTF-8</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="86" />
            <source>Choose a file first.</source>
            <translation>请先选择文件。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="90" />
            <source>Each source field can fill only one layer field; used twice: %s</source>
            <translation>每个源字段只能对应一个图层字段;重复使用:%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="113" />
            <source>Checking %s…</source>
            <translation>正在检查 %s…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="126" />
            <source>The options changed during the check; check again.</source>
            <translation>检查过程中选项已更改,请重新检查。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="139" />
            <source>{field} is filled from the column {column} (matched by name).</source>
            <translation>{field} 取自列 {column}(按名称匹配)。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="143" />
            <source>Replace: every feature now in {layer} is deleted before the import.</source>
            <translation>替换:导入前将删除 {layer} 中现有的全部要素。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="147" />
            <source>Nothing to import.</source>
            <translation>没有可导入的内容。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="203" />
            <source>Check cancelled.</source>
            <translation>检查已取消。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="205" />
            <source>Unexpected error while checking the file (details are in the log): </source>
            <translation>检查文件时发生意外错误(详情见日志):</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="213" />
            <source>This file cannot be imported as it is:</source>
            <translation>该文件无法按原样导入:</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="231" />
            <source>Importing into %s…</source>
            <translation>正在导入到 %s…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="265" />
            <source>Import cancelled: nothing was written.</source>
            <translation>导入已取消:未写入任何内容。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="267" />
            <source>Unexpected error while importing (details are in the log); the project is unchanged: </source>
            <translation>导入时发生意外错误(详情见日志);项目未被修改:</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="270" />
            <source>Import failed:</source>
            <translation>导入失败:</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="271" />
            <source>Check the file again before importing.</source>
            <translation>导入前请重新检查文件。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="383" />
            <source>Options changed since the check: check the file again.</source>
            <translation>检查后选项已更改:请重新检查文件。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="417" />
            <source>Import a file</source>
            <translation>导入文件</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="418" />
            <source>&amp;File:</source>
            <translation>文件(&amp;F):</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="418" />
            <source>Import &amp;into layer:</source>
            <translation>导入到图层(&amp;I):</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="418" />
            <source>&amp;Layer in the file:</source>
            <translation>文件中的图层(&amp;L):</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="419" />
            <source>Text &amp;encoding:</source>
            <translation>文字编码(&amp;E):</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="419" />
            <source>Coordinate &amp;system:</source>
            <translation>坐标系(&amp;S):</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="419" />
            <source>Mode:</source>
            <translation>方式:</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="422" />
            <source>Browse…</source>
            <translation>浏览…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="423" />
            <source>Shapefile, GeoJSON, GeoPackage, KML, CSV or Excel file</source>
            <translation>Shapefile、GeoJSON、GeoPackage、KML、CSV 或 Excel 文件</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="426" />
            <source>Choose a layer</source>
            <translation>选择图层</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="427" />
            <source>Detected from the file; type e.g. 4490 or EPSG:4547</source>
            <translation>从文件识别;可输入如 4490 或 EPSG:4547</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="428" />
            <source>The coordinate system of the file's coordinates. Leave as detected, or type an EPSG code such as 4490 or EPSG:4547.</source>
            <translation>文件坐标所用的坐标系。保持识别结果,或输入 EPSG 代码,如 4490 或 EPSG:4547。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="430" />
            <source>Text encoding of the file's attributes (shapefiles, CSV)</source>
            <translation>文件属性文字的编码(Shapefile、CSV)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="431" />
            <source>Add to the layer</source>
            <translation>追加到图层</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="432" />
            <source>Replace the layer</source>
            <translation>替换图层</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="433" />
            <source>Preview (first %s features)</source>
            <translation>预览(前 %s 个要素)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="434" />
            <source>The features above, drawn in EPSG:4490</source>
            <translation>上表中的要素,按 EPSG:4490 绘制</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="435" />
            <source>Fields</source>
            <translation>字段</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="436" />
            <source>Check</source>
            <translation>检查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="436" />
            <source>Read and validate the file; nothing is written</source>
            <translation>读取并校验文件;不写入任何内容</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="437" />
            <source>Import</source>
            <translation>导入</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="394" />
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="437" />
            <source>Write the checked features into the project</source>
            <translation>将检查通过的要素写入项目</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="438" />
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="446" />
            <source>Auto (detected: %s)</source>
            <translation>自动(识别为:%s)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="446" />
            <source>Auto</source>
            <translation>自动</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="465" />
            <source>Layer field</source>
            <translation>图层字段</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="465" />
            <source>Column in the file</source>
            <translation>文件中的列</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="477" />
            <source>(none)</source>
            <translation>(无)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="479" />
            <source>Fire point files are read by their column names (longitude, latitude, acquisition date and time, satellite); cells, villages and townships are filled from the map.</source>
            <translation>火点文件按列名读取(经度、纬度、观测日期和时间、卫星);网格、村、乡镇由地图自动填写。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="483" />
            <source>Choose the column of the file that fills each layer field; * marks required fields.</source>
            <translation>为每个图层字段选择文件中对应的列;* 表示必填字段。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="137" />
            <source>This is a satellite fire-point table (NASA FIRMS or similar): it is imported into the fire points.</source>
            <translation>这是卫星火点表（NASA FIRMS 或类似格式），将导入到“火点”图层。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="175" />
            <source>GridWatch cannot tell which coordinate system this file uses: it names none, or its coordinates do not fit the one it names.</source>
            <translation>无法确定这个文件的坐标系：文件没有注明坐标系，或坐标与注明的坐标系不符。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="34" />
            <source>points</source>
            <translation>点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="34" />
            <source>points (multi)</source>
            <translation>点（多点）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="35" />
            <source>lines</source>
            <translation>线</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="35" />
            <source>lines (multi)</source>
            <translation>线（多线）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="36" />
            <source>polygons</source>
            <translation>面</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="36" />
            <source>polygons (multi)</source>
            <translation>面（多面）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_source.py" line="37" />
            <location filename="../../gridwatch/ui/data/import_source.py" line="38" />
            <source>mixed geometries</source>
            <translation>混合几何</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="162" />
            <source>Field</source>
            <translation>字段</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="163" />
            <source>Value in the file</source>
            <translation>文件中的值</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="164" />
            <source>Rows</source>
            <translation>行数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="165" />
            <source>What to do</source>
            <translation>处理方式</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="169" />
            <source>(empty)</source>
            <translation>（空）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="173" />
            <source>Leave these rows out</source>
            <translation>不导入这些行</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="175" />
            <source>Use %s</source>
            <translation>改为 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="183" />
            <source>%1 row(s) hold values this layer does not allow; they are left out unless you choose a value for them. Nothing is written before Import.</source>
            <translation>有 %1 行的值不符合本图层的要求；除非为它们选择一个值，否则这些行不导入。点击“导入”之前不会写入任何内容。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="251" />
            <source>Imported: %1 feature(s) written to %2.</source>
            <translation>导入完成：已将 %1 个要素写入“%2”。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="299" />
            <source>Coordinates read as WGS84 longitude/latitude (a fire-point table carries no coordinate system).</source>
            <translation>坐标按 WGS84 经纬度读取（火点表本身不带坐标系）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="302" />
            <source>Times read as UTC (FIRMS acq_date/acq_time are UTC) and shown in Beijing time.</source>
            <translation>时间按世界时读取（FIRMS 的 acq_date/acq_time 为世界时），显示为北京时间。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="309" />
            <source>Read %1 feature(s) from %2; %3 to import into %4.</source>
            <translation>从 %2 读取 %1 个要素，其中 %3 个将导入到“%4”。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="313" />
            <source>%1 empty or missing geometries are dropped.</source>
            <translation>%1 个空几何或缺失几何被舍弃。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="316" />
            <source>%1 invalid geometries are repaired (details in the tooltip).</source>
            <translation>修复了 %1 个无效几何（详情见提示）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="319" />
            <source>%1 point(s) outside the district are not stored.</source>
            <translation>%1 个点在本区范围之外，不导入。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="322" />
            <source>%1 detection(s) already in the project are not stored again.</source>
            <translation>%1 个火点已在项目中，不重复导入。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="325" />
            <source>%1 row(s) with values the layer does not allow are left out.</source>
            <translation>%1 行的值不符合本图层要求，不导入。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_run.py" line="328" />
            <source>%1 feature(s) that were in the layer are replaced.</source>
            <translation>图层中原有的 %1 个要素被替换。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/import_dialog.py" line="392" />
            <source>Nothing to import: the check found no feature to write</source>
            <translation>没有可导入的内容：检查未发现可写入的要素</translation>
        </message>
    </context>
    <context>
        <name>Layers</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="8" />
            <source>Townships</source>
            <translation>乡镇/街道</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="9" />
            <source>Villages</source>
            <translation>村/社区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="10" />
            <source>Grid cells</source>
            <translation>网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="11" />
            <source>Coal-ban zones</source>
            <translation>禁煤区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="12" />
            <source>Fireworks-ban zones</source>
            <translation>禁燃禁放区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="13" />
            <source>Open-pit mines</source>
            <translation>露天矿山</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="14" />
            <source>Construction sites</source>
            <translation>施工工地</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="15" />
            <source>Key areas</source>
            <translation>重点区域</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="16" />
            <source>Fire points</source>
            <translation>火点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="17" />
            <source>People</source>
            <translation>人员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="18" />
            <source>Assignments</source>
            <translation>任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="19" />
            <source>Inspections</source>
            <translation>检查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="20" />
            <source>Findings</source>
            <translation>问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="21" />
            <source>Attachments</source>
            <translation>附件</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="23" />
            <source>Audit log</source>
            <translation>操作日志</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="24" />
            <source>Sync conflicts</source>
            <translation>同步冲突</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="25" />
            <source>Sync history</source>
            <translation>同步记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="30" />
            <source>Project metadata</source>
            <translation>项目信息</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="26" />
            <source>Veto items</source>
            <translation>一票否决</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="27" />
            <source>Heavy-pollution warnings</source>
            <translation>重污染天气预警</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="28" />
            <source>Checklist results</source>
            <translation>检查清单</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="29" />
            <source>Campaigns</source>
            <translation>专项行动</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="22" />
            <source>Patrol tracks</source>
            <translation>巡查轨迹</translation>
        </message>
    </context>
    <context>
        <name>LayersPanel</name>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="248" />
            <source>Layers</source>
            <extracomment>Thematic legends shown instead of a layer's style categories (see set_legend).</extracomment>
            <translation>图层</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="249" />
            <source>Opacity</source>
            <translation>不透明度</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="250" />
            <source>Draw above the layer over it</source>
            <translation>上移一层(绘制在上方)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="251" />
            <source>Draw below the layer under it</source>
            <translation>下移一层(绘制在下方)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="257" />
            <source>Double-click to zoom to the layer</source>
            <translation>双击缩放到该图层</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="267" />
            <source>Zoomed out, nearby fire points are drawn as one circle with their number: vermillion when some of them are not yet checked, grey when all are. Double-click to zoom to the layer</source>
            <translation>缩小地图时，相邻的火点合成一个圆并标出数量：橙红色表示其中有未核查的火点，灰色表示都已核查。双击缩放到本图层</translation>
        </message>
    </context>
    <context>
        <name>LiveViewBar</name>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="220" />
            <source>Refreshing from the server…</source>
            <translation>正在从服务器刷新…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="242" />
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="243" />
            <source>Read what changed on the server since the last refresh</source>
            <translation>读取上次刷新以来服务器上的变化</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="251" />
            <source>Live server view of %1 on %2, as %4: each of your edits goes to the server at once (refused ones are taken back); refreshed at %3 and every few minutes.</source>
            <translation>服务器实时查看：%1（服务器 %2），当前用户 %4：每项修改立即提交到服务器（被拒绝的修改会撤回）；%3 刷新，此后每隔几分钟自动刷新。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="254" />
            <source>Live server view of %1 on %2: read-only, refreshed at %3 and every few minutes. To edit, check out a working copy.</source>
            <translation>服务器实时查看：%1（%2），只读，%3 刷新，之后每隔几分钟自动刷新。如需编辑，请检出工作副本。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="260" />
            <source>The last refresh failed: %1</source>
            <translation>上次刷新失败：%1</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="77" />
            <source>Undo</source>
            <translation>撤销</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="80" />
            <source>Redo</source>
            <translation>重做</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="188" />
            <source>&amp;File</source>
            <translation>文件(&amp;F)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="189" />
            <source>Recent projects</source>
            <translation>最近的项目</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="190" />
            <source>&amp;Edit</source>
            <translation>编辑(&amp;E)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="191" />
            <source>&amp;Inspections</source>
            <translation>督查(&amp;I)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="192" />
            <source>Current &amp;user…</source>
            <translation>当前用户(&amp;U)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="193" />
            <source>&amp;Assign inspections for selected cells…</source>
            <translation>为所选网格派发检查(&amp;A)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="194" />
            <source>Assign inspection for the identified feature…</source>
            <translation>为当前识别对象派发检查…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="195" />
            <source>A fire point, construction site, mine or zone: its cell; a village or township: all its cells</source>
            <translation>火点、工地、矿山或区域：派给所在网格；村或乡镇：派给其全部网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="197" />
            <source>Create &amp;fire-point checks…</source>
            <translation>生成火点核查任务(&amp;F)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="198" />
            <source>&amp;Record finding for the selected task…</source>
            <translation>为所选任务记录问题(&amp;R)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="199" />
            <source>&amp;People…</source>
            <translation>人员(&amp;P)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="201" />
            <source>Give selected cells to an inspector…</source>
            <translation>将所选网格交给网格员…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="202" />
            <source>&amp;View</source>
            <translation>视图(&amp;V)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="203" />
            <source>&amp;Analysis</source>
            <translation>分析(&amp;A)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="204" />
            <source>&amp;Dashboard and township ranking</source>
            <translation>统计看板与乡镇排名(&amp;D)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="205" />
            <source>&amp;Rule checks…</source>
            <translation>规则核查(&amp;R)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="212" />
            <source>Patrol &amp;coverage</source>
            <translation>巡查覆盖(&amp;C)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="213" />
            <source>Dashboard</source>
            <translation>统计看板</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="214" />
            <source>&amp;Tools</source>
            <translation>工具(&amp;T)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="215" />
            <source>&amp;Settings</source>
            <translation>设置(&amp;S)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="216" />
            <source>Language</source>
            <translation>语言</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="217" />
            <source>Main toolbar</source>
            <translation>主工具栏</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="218" />
            <source>&amp;Open project…</source>
            <translation>打开项目(&amp;O)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="219" />
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="220" />
            <source>&amp;Import data…</source>
            <translation>导入数据(&amp;I)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="221" />
            <source>Import a shapefile, GeoJSON, GeoPackage, KML, CSV or XLSX into a layer</source>
            <translation>将 Shapefile、GeoJSON、GeoPackage、KML、CSV 或 XLSX 导入图层</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="225" />
            <source>Export for &amp;briefing…</source>
            <translation>导出通报材料(&amp;B)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="227" />
            <source>Maps, the web map, the findings ledger, coverage and ranking tables for briefings</source>
            <translation>导出通报用的地图、网页地图、整改台账、覆盖率表和排名表</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="229" />
            <source>Check &amp;out shared project…</source>
            <translation>签出共享项目(&amp;O)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="230" />
            <source>This is a shared project: the copy in the shared folder that laptops sync with. It is open read-only; to work on it, check out a working copy.</source>
            <translation>这是共享项目（共享文件夹中供各笔记本同步的那一份），现以只读方式打开；如需编辑，请检出一个工作副本。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="233" />
            <source>Check out a working copy…</source>
            <translation>检出工作副本…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="234" />
            <source>Make a working copy of the shared project on this laptop</source>
            <translation>在本机生成共享项目的工作副本</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="236" />
            <source>Open server &amp;district…</source>
            <translation>打开服务器上的区(&amp;D)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="237" />
            <source>Show a district of a PostGIS server here, read-only and refreshed from the server</source>
            <translation>在此窗口中只读查看 PostGIS 服务器上的一个区，并从服务器刷新</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="242" />
            <source>S&amp;ync…</source>
            <translation>同步(&amp;Y)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="243" />
            <source>Exchange changes between this working copy and the shared project</source>
            <translation>在工作副本与共享项目之间交换修改</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="247" />
            <source>Zoom to full extent</source>
            <translation>缩放到全图</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="248" />
            <source>Zoom to layer</source>
            <translation>缩放到图层</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="249" />
            <source>Zoom to selection</source>
            <translation>缩放到所选</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="250" />
            <source>Attribute table</source>
            <translation>属性表</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="251" />
            <source>Clear selection</source>
            <translation>清除选择</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="252" />
            <source>Pan</source>
            <translation>平移</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="253" />
            <source>Pan: drag to move the map, click to identify</source>
            <translation>平移:拖动移动地图,单击识别要素</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="254" />
            <source>Select cells</source>
            <translation>选择网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="261" />
            <source>Select grid cells: click, shift-click to add or remove, drag a rectangle</source>
            <translation>选择网格:单击选择,Shift+单击增加或移除,拖动拉框选择</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="263" />
            <source>Follow the system</source>
            <translation>跟随系统</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="306" />
            <source>GridWatch</source>
            <translation>网格监管 GridWatch</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="231" />
            <source>Drawing failed: </source>
            <extracomment>Background work after opening a project waits for the map's first paint, at most this long. Ask who is working when a project opens and nobody is chosen (tests of other things turn it off).</extracomment>
            <translation>绘制失败:</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="253" />
            <source>Saving…</source>
            <translation>正在保存…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="275" />
            <source>Open project</source>
            <translation>打开项目</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="276" />
            <source>GridWatch projects (*.gpkg)</source>
            <translation>GridWatch 项目 (*.gpkg)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="287" />
            <source>Opening %s…</source>
            <translation>正在打开 %s…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="465" />
            <source>Upgrade project?</source>
            <translation>升级项目？</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="466" />
            <source>This project was made by an older GridWatch. Upgrade it to open it? A backup copy is saved beside it first.</source>
            <translation>该项目由旧版 GridWatch 创建。是否升级后打开？升级前会在同一文件夹保存备份。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="300" />
            <source>Click the finding's location on the map</source>
            <translation>请在地图上点击问题位置</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="359" />
            <source>Not saved</source>
            <translation>未保存</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="369" />
            <source>Saved, with warnings</source>
            <translation>已保存，但有提示</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="370" />
            <source>The finding was saved. Please check:</source>
            <translation>已保存。请核对：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/app.py" line="60" />
            <location filename="../../gridwatch/ui/window/main_window.py" line="479" />
            <source>Cannot open project</source>
            <translation>无法打开项目</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="480" />
            <source>GridWatch could not open this project.</source>
            <translation>GridWatch 无法打开此项目。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="507" />
            <source>CGCS2000  %1°E  %2°N</source>
            <translation>CGCS2000  东经 %1°  北纬 %2°</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="513" />
            <source>Scale 1:%1</source>
            <translation>比例尺 1:%1</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="517" />
            <source>User: %s</source>
            <translation>用户：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/main_window.py" line="517" />
            <source>No user chosen</source>
            <translation>未选择用户</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/window/main_window.py" line="522" />
            <source>%n cell(s) selected</source>
            <translation>
                <numerusform>已选 %n 个网格</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="255" />
            <source>Measure</source>
            <translation>测量</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="256" />
            <source>Measure a distance, and the area of three points or more (m², km², mu); right-click or Esc starts again</source>
            <translation>测量距离；三个点以上同时测面积（平方米、平方千米、亩）；右键或 Esc 重新开始</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="258" />
            <source>My cells</source>
            <translation>我的网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="259" />
            <source>Zoom to the cells you are responsible for</source>
            <translation>缩放到您负责的网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="80" />
            <source>Open a project first</source>
            <translation>请先打开一个项目</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="81" />
            <source>Select cells on the map first (the Select cells tool)</source>
            <translation>请先在地图上选择网格（“选择网格”工具）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="88" />
            <source>Click a fire point, site, mine, zone, village or township on the map first</source>
            <translation>请先在地图上点击一个火点、工地、矿山、管控区、村或乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="94" />
            <location filename="../../gridwatch/ui/window/work.py" line="104" />
            <source>Select a task in progress in the Tasks panel first</source>
            <translation>请先在“任务”面板中选择一个检查中的任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="116" />
            <source>In a live server view each action goes to the server on its own; import layers into a checked-out working copy and sync it</source>
            <translation>在服务器实时查看中，每项操作单独提交到服务器；导入图层请在检出的工作副本中进行，然后同步</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="121" />
            <source>Choose who you are first (Settings &gt; Current user).</source>
            <translation>请先选择当前用户（设置 &gt; 当前用户）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="122" />
            <source>%1 is responsible for no cells</source>
            <translation>%1 没有负责的网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="126" />
            <source>Only a working copy of a shared project is synced; check one out first (File &gt; Check out shared project)</source>
            <translation>只有共享项目的工作副本才能同步；请先检出（文件 &gt; 检出共享项目）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="128" />
            <source>An edit is being saved; sync when it is done</source>
            <translation>正在保存修改；保存完成后再同步</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="134" />
            <source>%n selected cell(s)</source>
            <translation>已选 %n 个网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="70" />
            <source>%n edit(s) not yet synced</source>
            <extracomment>The time now (tests move it on to see a day pass).</extracomment>
            <translation>%n 项修改未同步</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="72" />
            <source>Changes not yet synced</source>
            <translation>有未同步的修改</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="74" />
            <source>Everything synced</source>
            <translation>已全部同步</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="76" />
            <source>never synced</source>
            <translation>从未同步</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="78" />
            <source>last sync %1</source>
            <translation>上次同步 %1</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="81" />
            <source>(sent %1, received %2)</source>
            <translation>（上传 %1，下载 %2）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="85" />
            <source>last attempt failed</source>
            <translation>上次同步失败</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="91" />
            <source>Edits on this laptop reach the others when you sync (File &gt; Sync).</source>
            <translation>本机的修改需同步后（文件 &gt; 同步）其他人才能看到。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="93" />
            <source>Oldest unsynced edit: %1 (Beijing time)</source>
            <translation>最早的未同步修改：%1（北京时间）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="96" />
            <source>Last attempt: %1</source>
            <translation>上次尝试：%1</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="131" />
            <source>%1 edit(s) on this laptop have not been synced for %2 day(s). Other laptops and the office do not see them until you sync.</source>
            <translation>本机有 %1 项修改已超过 %2 天未同步。同步之前，其他笔记本和办公室都看不到这些修改。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="134" />
            <source>Edits not yet synced</source>
            <translation>有修改尚未同步</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="137" />
            <source>Sync now…</source>
            <translation>立即同步…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/syncbar.py" line="139" />
            <source>Close anyway</source>
            <translation>仍然关闭</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/mapping.py" line="139" />
            <source>Click the next point; right-click or Esc starts again</source>
            <extracomment>Rows of a big fire-point layer drawn from the file, found by their uuids (a check's, a list's), one read at a time.</extracomment>
            <translation>单击下一个点；右键或 Esc 重新开始</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/mapping.py" line="141" />
            <source>Distance: %1 %2</source>
            <translation>距离：%1 %2</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/mapping.py" line="144" />
            <source>Area: %1 %2 (%3 mu)</source>
            <translation>面积：%1 %2（%3 亩）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/mapping.py" line="149" />
            <source>Click points on the map to measure</source>
            <translation>在地图上单击各点进行测量</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="239" />
            <source>&amp;City view (server)…</source>
            <translation>市级总览(服务器)(&amp;C)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="240" />
            <source>Coverage and the township ranking across the districts of a PostGIS server</source>
            <translation>PostGIS 服务器上各区县的巡查覆盖率与乡镇排名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="206" />
            <source>Township &amp;assessment and bulletin…</source>
            <translation>乡镇考核和通报(&amp;A)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="207" />
            <source>Declare heavy-pollution &amp;warning…</source>
            <translation>发布重污染天气预警(&amp;W)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="209" />
            <source>Record the &amp;checklist of the selected task…</source>
            <translation>记录所选任务的检查清单(&amp;C)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="210" />
            <source>Ca&amp;mpaigns…</source>
            <translation>专项行动(&amp;M)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/work.py" line="103" />
            <source>This kind of task has no checklist</source>
            <translation>此类任务没有检查清单</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="200" />
            <source>&amp;Work-plan settings and checklists…</source>
            <translation>工作方案设置和检查清单(&amp;W)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="208" />
            <source>&amp;End the heavy-pollution warning now…</source>
            <translation>立即解除重污染天气预警(&amp;E)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/menus.py" line="211" />
            <source>Seasonal &amp;calendar…</source>
            <translation>季节日历(&amp;C)…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/warning_map.py" line="78" />
            <source>Sites under way: %1, checked %2, unchecked %3</source>
            <extracomment>The warning in force (its row), for "End warning"; None: none. Fixed "now" for tests; None: the clock.</extracomment>
            <translation>在建工地 %1 个：已检查 %2，未检查 %3</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/warning_map.py" line="90" />
            <source>End warning</source>
            <translation>解除预警</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/warning_map.py" line="90" />
            <source>End the warning in force now? Its summary (sites checked, breaches found, unchecked sites) is kept as it stands.</source>
            <translation>立即解除正在生效的预警？将按当前情况保存预警汇总（已检查工地、发现问题、未检查工地）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/warning_map.py" line="99" />
            <source>No warning is in force</source>
            <translation>当前没有生效的预警</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/window/selection.py" line="226" />
            <source>Reading every fire point for the table…</source>
            <extracomment>Layers hit-tested for identify, topmost first. Clicks on a big fire-point layer drawn from the file are answered here, one at a time. Every point of a big fire-point layer, read for the attribute table.</extracomment>
            <translation>正在读取全部火点以显示属性表…</translation>
        </message>
    </context>
    <context>
        <name>MapCanvas</name>
        <message>
            <location filename="../../gridwatch/ui/map/canvas.py" line="374" />
            <source>No project open</source>
            <extracomment>Render jobs run on a Python thread, not Qt's QThreadPool: pyproj 3.7 can crash on reused threads that Python did not create (pyproj issue 1509), and a job may touch a CRS. The basemap tiles a render lacked are read (emitted from the tile worker; queued to the GUI thread). What the user is looking at: (layer, feature indices) drawn over every layer. Thematic fills replacing a layer's style (e.g. grid cells by days since inspection). Workflow markers drawn over the map: (lon, lat, colour, highlighted). The basemap beneath the layers: a callable (viewport, cancel) -&gt; QImage run on a render worker. Extra drawing over the map each frame (GPS position, patrol tracks): callables (painter, viewport). The measure tool's points (lon/lat) and what they measure, drawn over the map. Whether the image on screen holds basemap stand-ins while its tiles are read. Inside :meth:`one_render`: renders asked for wait for its end (and whether one was asked for).</extracomment>
            <translation>未打开项目</translation>
        </message>
    </context>
    <context>
        <name>OpenServerDialog</name>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="93" />
            <source>Open server district</source>
            <translation>打开服务器上的区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="94" />
            <source>Show a district of a PostGIS server in this window as it is on the server now; it refreshes every few minutes and with Refresh. Supervisors and administrators edit it: each action goes to the server at once. Everyone else sees it read-only (to edit, check out a working copy and sync).</source>
            <translation>在本窗口中显示 PostGIS 服务器上某区当前的数据；每隔几分钟及点击“刷新”时自动更新。督查员和管理员可以直接编辑：每项操作立即提交到服务器。其他人员只能查看（如需编辑，请检出工作副本并同步）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="98" />
            <source>&amp;Server:</source>
            <translation>服务器(&amp;S)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="99" />
            <source>postgresql://HOST/DATABASE?district=SCHEMA (your login from .pgpass, the service file or PGPASSWORD)</source>
            <translation>postgresql://主机/数据库?district=区模式名（登录凭据取自 .pgpass、服务文件或 PGPASSWORD）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="101" />
            <source>Open</source>
            <translation>打开</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="123" />
            <source>Not a server address: write it as postgresql://HOST/DATABASE (or service=NAME).</source>
            <translation>不是服务器地址：请写成 postgresql://主机/数据库（或 service=名称）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="134" />
            <source>Reading the district from the server…</source>
            <translation>正在从服务器读取本区…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/live.py" line="150" />
            <source>Cannot open the server district:</source>
            <translation>无法打开服务器上的区：</translation>
        </message>
    </context>
    <context>
        <name>PasswordDialog</name>
        <message>
            <location filename="../../gridwatch/ui/sync/password.py" line="85" />
            <source>Server password</source>
            <translation>服务器密码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/password.py" line="86" />
            <source>The server asks for the password of this login (it is not in .pgpass, the service file or PGPASSWORD).</source>
            <translation>服务器要求输入此登录名的密码（.pgpass、服务文件和 PGPASSWORD 中都没有）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/password.py" line="88" />
            <source>Server:</source>
            <translation>服务器：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/password.py" line="89" />
            <source>Login:</source>
            <translation>登录名：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/password.py" line="90" />
            <source>&amp;Password:</source>
            <translation>密码(&amp;P)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/password.py" line="91" />
            <source>GridWatch keeps it in memory until it closes, so that the next sync does not ask again; it is never saved.</source>
            <translation>GridWatch 只在运行期间把它保存在内存中，下次同步不必再输入；密码不会写入任何文件。</translation>
        </message>
    </context>
    <context>
        <name>PeopleDialog</name>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="202" />
            <source>People</source>
            <translation>人员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="203" />
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="203" />
            <source>Role</source>
            <translation>角色</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="203" />
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="204" />
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="204" />
            <source>Active</source>
            <translation>在岗</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="204" />
            <source>Cells</source>
            <translation>网格数</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="205" />
            <source>Add…</source>
            <translation>添加…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="206" />
            <source>Change…</source>
            <translation>修改…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="207" />
            <source>Deactivate</source>
            <translation>停用</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="208" />
            <source>Deactivated people keep their history; give their cells to someone else first</source>
            <translation>停用的人员保留其历史记录；请先将其网格交给他人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="210" />
            <source>Only an administrator may change people</source>
            <translation>只有管理员可以修改人员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="235" />
            <source>Yes</source>
            <translation>是</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="235" />
            <source>No</source>
            <translation>否</translation>
        </message>
    </context>
    <context>
        <name>PeriodControl</name>
        <message>
            <location filename="../../gridwatch/ui/period.py" line="107" />
            <source>Period:</source>
            <translation>时段：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/period.py" line="110" />
            <source>Which time the map, lists and outputs show (Beijing time)</source>
            <translation>地图、列表和导出显示的时间范围（北京时间）</translation>
        </message>
    </context>
    <context>
        <name>PersonForm</name>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="119" />
            <source>Add person</source>
            <extracomment>Item data role holding a person's uuid (column 0 of the people table).</extracomment>
            <translation>添加人员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="119" />
            <source>Change person</source>
            <translation>修改人员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="120" />
            <source>&amp;Name:</source>
            <translation>姓名(&amp;N)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="120" />
            <source>&amp;Role:</source>
            <translation>角色(&amp;R)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="120" />
            <source>&amp;Phone:</source>
            <translation>电话(&amp;P)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="121" />
            <source>&amp;Township:</source>
            <translation>乡镇(&amp;T)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="125" />
            <source>Active</source>
            <translation>在岗</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/people.py" line="126" />
            <source>Inactive people keep their history but can no longer work or be chosen</source>
            <translation>停用人员保留历史记录，但不能再工作或被选为用户</translation>
        </message>
    </context>
    <context>
        <name>PhotoViewer</name>
        <message>
            <location filename="../../gridwatch/ui/findings/common.py" line="314" />
            <source>This photo cannot be shown.</source>
            <translation>无法显示此照片。</translation>
        </message>
    </context>
    <context>
        <name>RankingTable</name>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="30" />
            <source>Rank</source>
            <extracomment>Column keys in display order (the tests read the table through them).</extracomment>
            <translation>排名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="30" />
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="31" />
            <source>Score</source>
            <translation>得分</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="31" />
            <source>Change</source>
            <translation>名次变化</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="32" />
            <source>Straw burning</source>
            <translation>秸秆焚烧</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="32" />
            <source>Other burning</source>
            <translation>其他焚烧</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="33" />
            <source>Unverified</source>
            <translation>未核查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="33" />
            <source>Industrial heat</source>
            <translation>工业热源</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="34" />
            <source>Deduction (10k yuan)</source>
            <translation>扣减(万元)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="34" />
            <source>Veto</source>
            <translation>一票否决</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="35" />
            <source>Coverage %</source>
            <translation>覆盖率%</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="35" />
            <source>Closure %</source>
            <translation>整改率%</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="36" />
            <source>Overdue</source>
            <translation>超期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="36" />
            <source>Fire checks in time %</source>
            <translation>火点按时核查率%</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/ranking_view.py" line="62" />
            <source> (tied)</source>
            <translation>（并列）</translation>
        </message>
    </context>
    <context>
        <name>RulesDock</name>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="436" />
            <source>Rule checks</source>
            <translation>规则检查</translation>
        </message>
    </context>
    <context>
        <name>RulesPanel</name>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="171" />
            <location filename="../../gridwatch/ui/analysis/rules.py" line="292" />
            <location filename="../../gridwatch/ui/analysis/rules.py" line="393" />
            <source>All rules</source>
            <extracomment>Rows the list shows at most (a season of fire points can flag 100,000; Assign all still takes every hit). Columns of the hit table. Title of the edit hits_to_assignments makes (how the panel recognises its own edit). lon/lat bounds (minx, miny, maxx, maxy) of a double-clicked hit's feature. The double-clicked hit (a :class:`~gridwatch.analysis.rules.RuleHit`): layer, uuid, cell_code ... The checks finished (the :class:`~gridwatch.analysis.rules.RuleReport`). The selected hits changed (a list of RuleHit): the map highlights them. The time the checks run at (None: now); tests and replays set it.</extracomment>
            <translation>全部规则</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="175" />
            <source>Same for every key area:</source>
            <translation>所有重点区域统一为：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="176" />
            <source>Unchecked: each key area's own control radius (3 km unless set)</source>
            <translation>不勾选：按各重点区域自身的管控半径（未设置时为 3 公里）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="177" />
            <source>km</source>
            <translation>公里</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="178" />
            <source>Key-area radius:</source>
            <translation>重点区域管控半径：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="178" />
            <source>Mines inspected within:</source>
            <translation>矿山检查周期：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="179" />
            <source>Fire points of the last:</source>
            <translation>火点时段（最近）：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="179" />
            <source>Show:</source>
            <translation>显示：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="181" />
            <location filename="../../gridwatch/ui/analysis/rules.py" line="182" />
            <source>days</source>
            <translation>天</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="183" />
            <source>Tasks due:</source>
            <translation>任务截止：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="184" />
            <source>Assign selected</source>
            <translation>派发选中</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="185" />
            <source>Assign all shown</source>
            <translation>全部派发</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="187" />
            <source>Rule</source>
            <translation>规则</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="187" />
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="187" />
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="188" />
            <source>Cell</source>
            <translation>网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="188" />
            <source>Details</source>
            <translation>说明</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="193" />
            <location filename="../../gridwatch/ui/analysis/rules.py" line="395" />
            <source>Run the checks to list what the rules flag.</source>
            <translation>点击“开始检查”列出不符合规则的对象。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="221" />
            <source>Open a project first.</source>
            <translation>请先打开项目。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="230" />
            <source>Checking…</source>
            <translation>正在检查…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="238" />
            <location filename="../../gridwatch/ui/analysis/rules.py" line="267" />
            <source>Stopped.</source>
            <translation>已停止。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="249" />
            <source>Checking… %s%%</source>
            <translation>正在检查… %s%%</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="275" />
            <source>%s hits: %s</source>
            <translation>共 %s 条：%s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="277" />
            <source>(the list shows the first %s; choose a rule to narrow it)</source>
            <translation>（列表仅显示前 %s 条，可按规则筛选）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="353" />
            <source>Select hits in the list first.</source>
            <translation>请先在列表中选择。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="356" />
            <location filename="../../gridwatch/ui/analysis/rules.py" line="406" />
            <source>Only a supervisor or administrator may assign inspections.</source>
            <translation>只有督查员或管理员可以派发检查任务。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="359" />
            <source>Assigning %s hits…</source>
            <translation>正在派发 %s 条…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="368" />
            <source>Assigned %s tasks (Edit &gt; Undo takes them back).</source>
            <translation>已派发 %s 个任务（编辑 &gt; 撤销 可收回）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="399" />
            <source>Stop</source>
            <translation>停止</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="399" />
            <source>Run checks</source>
            <translation>开始检查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="408" />
            <source>One task per hit, in the hit's cell, for the cell's inspector; fire points: one check per cell</source>
            <translation>每条一个任务，派给所在网格的网格员；火点按网格合并为一个核查任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="186" />
            <source>Downgrade site…</source>
            <translation>工地降级…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/rules.py" line="413" />
            <source>Lower the selected site's dust grade, with the reason (audited)</source>
            <translation>降低所选工地的扬尘管控等级并说明理由（记入修改记录）</translation>
        </message>
    </context>
    <context>
        <name>SearchPanel</name>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="519" />
            <source>Search</source>
            <translation>搜索</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="520" />
            <source>Name, code or pinyin initials (hlz)</source>
            <translation>名称、编码或拼音首字母（如 hlz）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="521" />
            <source>Townships, villages, cells, key areas, construction sites, mines, zones and people; Chinese, codes, or pinyin such as hlz or huolu for 获鹿镇</source>
            <translation>可查乡镇、村、网格、重点区域、工地、矿山、管控区和人员；输入中文、编码或拼音，如 hlz 或 huolu 可找到获鹿镇</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/map/panels.py" line="529" />
            <source>%n cell(s)</source>
            <translation>
                <numerusform>%n 个网格</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="530" />
            <source>phone …%s</source>
            <translation>电话尾号 %s</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="542" />
            <source>Showing the best %1 of %2 results: type more to narrow them down.</source>
            <translation>共 %2 个结果，只显示最匹配的 %1 个；请输入更多文字缩小范围。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/panels.py" line="545" />
            <source>Nothing found.</source>
            <translation>没有找到。</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="278" />
            <source>Work-plan settings</source>
            <extracomment>Settings the checklist tab edits (the form shows the others with a single value). The settings were written (the dashboard and the checklist action read them again).</extracomment>
            <translation>工作方案设置</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="279" />
            <source>Assessment and deadlines</source>
            <translation>考核和报送期限</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="280" />
            <source>Checklists</source>
            <translation>检查清单</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="288" />
            <source>The plans' defaults: straw burning 500,000 yuan and other burning 100,000 yuan per fire point; townships report by the 25th, the bulletin by the 28th; orange and red warnings stop earthwork. The seasonal calendar is set elsewhere.</source>
            <translation>工作方案默认值：秸秆焚烧每个火点扣减50万元，其他可燃物每个火点10万元；乡镇每月25日前报送，月通报28日前印发；橙色及以上预警停止土石方作业。季节安排在别处设置。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="294" />
            <source>Task kind:</source>
            <translation>任务类型：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="295" />
            <source>Add item</source>
            <translation>添加检查项</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="296" />
            <source>Remove</source>
            <translation>删除</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="297" />
            <source>Move up</source>
            <translation>上移</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="298" />
            <source>Move down</source>
            <translation>下移</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="299" />
            <source>Rename</source>
            <translation>改名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="300" />
            <source>The item's name in this district</source>
            <translation>本区对该检查项的称呼</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="301" />
            <source>Inspections of this kind record these items in this order; a failed item becomes a finding of its category. A renamed item keeps its category and is renamed in every list.</source>
            <translation>此类检查按此顺序记录这些检查项；不合格项转为相应类别的问题。改名后的检查项类别不变，所有清单中同时改名。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="304" />
            <source>Save</source>
            <translation>保存</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/settings_dialog.py" line="305" />
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
    </context>
    <context>
        <name>SyncDialog</name>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="107" />
            <source>Checking this laptop's edits…</source>
            <extracomment>The last sync was cancelled by the user (its ``failed`` is no failure to report).</extracomment>
            <translation>正在检查本机的修改…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="108" />
            <source>Waiting for the shared project…</source>
            <translation>正在等待共享项目…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="109" />
            <source>Reading the shared project…</source>
            <translation>正在读取共享项目…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="110" />
            <source>Merging…</source>
            <translation>正在合并…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="111" />
            <source>Writing the shared project…</source>
            <translation>正在写入共享项目…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="112" />
            <source>Updating this laptop…</source>
            <translation>正在更新本机…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="113" />
            <source>Connecting to the server…</source>
            <translation>正在连接服务器…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="114" />
            <source>Reading the server's changes…</source>
            <translation>正在读取服务器上的更改…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="115" />
            <source>Sending to the server…</source>
            <translation>正在发送到服务器…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="120" />
            <source>Sync with the shared project</source>
            <translation>与共享项目同步</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="121" />
            <source>Shared project:</source>
            <translation>共享项目：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="122" />
            <source>User:</source>
            <translation>用户：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="123" />
            <source>Last sync:</source>
            <translation>上次同步：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="124" />
            <source>Kept on this laptop (your role may not change these):</source>
            <translation>保留在本机（您的角色无权修改以下内容）：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="125" />
            <source>&amp;Sync now</source>
            <translation>立即同步(&amp;S)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="126" />
            <source>Cancel sync</source>
            <translation>取消同步</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="127" />
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="147" />
            <source>This project is not a working copy of a shared project; check one out first (File &gt; Check out shared project).</source>
            <translation>该项目不是共享项目的工作副本；请先签出（文件 &gt; 签出共享项目）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="153" />
            <source>never</source>
            <translation>从未</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="156" />
            <source>Sent %1 change(s), received %2, %3 conflict(s) settled, %4 refused.</source>
            <translation>上传 %1 处修改，下载 %2 处，处理冲突 %3 个，拒绝 %4 处。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="160" />
            <source>An interrupted sync was finished first.</source>
            <translation>已先完成上次中断的同步。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="162" />
            <source>The shared project had gone back in time (an older copy of the shared folder was put back); what it had lost was sent again from this laptop.</source>
            <translation>共享项目曾被回退（有人把共享文件夹的旧副本放了回去）；丢失的内容已从本机重新发送。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="165" />
            <source>Supervisors review the conflicts in the Sync conflicts panel.</source>
            <translation>督查员可在“同步冲突”面板中审核冲突。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="214" />
            <source>Cancelling…</source>
            <translation>正在取消…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="228" />
            <source>Sync finished.</source>
            <translation>同步完成。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="241" />
            <source>Sync cancelled; nothing was sent.</source>
            <translation>同步已取消；未上传任何内容。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/sync/syncdialog.py" line="243" />
            <source>Sync failed. Your edits are safe on this laptop.</source>
            <translation>同步失败。您的修改仍安全保存在本机。</translation>
        </message>
    </context>
    <context>
        <name>TaskPanel</name>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="182" />
            <source>Tasks</source>
            <extracomment>Filter codes of the task list, in menu order. Columns of the task table: what a narrow dock shows first (the cell, who, when), then the rest. The group key of a group's header row (its first cell). The cell code of a task's cell item (the item shows the cell's name). Tables whose rows the task list shows or counts. The selected task (dict) or None, whenever the selection or the selected task's row changes (e.g. it was started, so Record finding now applies); for keeping menu actions current. The period of the window's period bar: tasks alive in it (assigned before its end, not done or cancelled before its start); None: all.</extracomment>
            <translation>任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="183" />
            <source>Show:</source>
            <translation>显示：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="184" />
            <source>My tasks</source>
            <translation>我的任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="184" />
            <source>Due today</source>
            <translation>今日到期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="184" />
            <source>Overdue</source>
            <translation>已逾期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="185" />
            <source>All open tasks</source>
            <translation>全部未完成任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="185" />
            <source>All tasks</source>
            <translation>全部任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="196" />
            <source>Due</source>
            <translation>截止时间</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="196" />
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="196" />
            <source>Kind</source>
            <translation>任务类型</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="197" />
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="197" />
            <source>Village</source>
            <translation>村</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="196" />
            <source>Cell</source>
            <translation>网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="196" />
            <source>Assignee</source>
            <translation>执行人</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="197" />
            <source>Fire points</source>
            <translation>火点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="197" />
            <source>Findings</source>
            <translation>问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="197" />
            <source>Notes</source>
            <translation>备注</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="198" />
            <source>Due time, Beijing time</source>
            <translation>截止时间（北京时间）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="199" />
            <source>Double-click a task to show its cell on the map</source>
            <translation>双击任务在地图上显示其网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="200" />
            <source>Start inspection</source>
            <translation>开始检查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="201" />
            <location filename="../../gridwatch/ui/tasks/panel.py" line="516" />
            <source>Start the selected task: you are now inspecting its cell</source>
            <translation>开始所选任务：您正在检查该网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="202" />
            <source>Record finding…</source>
            <translation>记录问题…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="203" />
            <location filename="../../gridwatch/ui/tasks/panel.py" line="519" />
            <source>Record a problem found while inspecting the selected task</source>
            <translation>记录检查所选任务时发现的问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="204" />
            <source>Finish…</source>
            <translation>完成…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="204" />
            <location filename="../../gridwatch/ui/tasks/panel.py" line="517" />
            <source>Finish the selected task</source>
            <translation>完成所选任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="205" />
            <source>Cancel task…</source>
            <translation>撤销任务…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="206" />
            <location filename="../../gridwatch/ui/tasks/panel.py" line="518" />
            <source>Cancel the selected task, giving a reason (supervisors only)</source>
            <translation>撤销所选任务并说明原因（仅督查员）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="390" />
            <source>overdue</source>
            <translation>逾期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="412" />
            <source>Due %s (Beijing time)</source>
            <translation>截止 %s（北京时间）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="425" />
            <source>No project open</source>
            <translation>未打开项目</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="429" />
            <source>%s tasks, %s overdue</source>
            <translation>%s 个任务，%s 个逾期</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="431" />
            <source>%s tasks</source>
            <translation>%s 个任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="63" />
            <source>Finish fire-point check</source>
            <translation>完成火点核查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="63" />
            <source>Finish task</source>
            <translation>完成任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="71" />
            <source>— choose what you found —</source>
            <translation>— 请选择核查结果 —</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="75" />
            <source>Result:</source>
            <translation>核查结果：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="77" />
            <source>The result is written to the %s fire point(s) of this check.</source>
            <translation>结果将写入本次核查的 %s 个火点。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="81" />
            <source>What you found (optional)</source>
            <translation>检查情况（可选）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="82" />
            <source>Notes:</source>
            <translation>备注：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="84" />
            <source>Finish</source>
            <translation>完成</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="107" />
            <location filename="../../gridwatch/ui/tasks/steps.py" line="112" />
            <source>Cancel task</source>
            <translation>撤销任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="109" />
            <source>Why the task is cancelled (required)</source>
            <translation>撤销原因（必填）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="113" />
            <source>Keep task</source>
            <translation>保留任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/steps.py" line="119" />
            <source>Reason:</source>
            <translation>原因：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="188" />
            <source>Group:</source>
            <translation>分组：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="189" />
            <source>By township</source>
            <translation>按乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="189" />
            <source>By inspector</source>
            <translation>按网格员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="190" />
            <source>By state</source>
            <translation>按状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="190" />
            <source>No groups</source>
            <translation>不分组</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="193" />
            <source>Group the tasks; each group shows its progress (done of all its tasks). Click a group to open or close it.</source>
            <translation>将任务分组；每组显示进度（已完成/全部任务）。点击分组可展开或收起。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="331" />
            <source>Click to open or close the group</source>
            <translation>点击展开或收起此组</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="343" />
            <source>(no township)</source>
            <translation>（无乡镇）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="344" />
            <source>(each cell's inspector)</source>
            <translation>（各网格的网格员）</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/tasks/panel.py" line="345" />
            <source>%n task(s) listed</source>
            <translation>
                <numerusform>列出 %n 个任务</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="347" />
            <source>done %1 of %2 (%3%)</source>
            <translation>完成 %1/%2（%3%）</translation>
        </message>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/tasks/panel.py" line="350" />
            <source>%n overdue</source>
            <translation>
                <numerusform>%n 个逾期</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="410" />
            <source>Cell %s; double-click to show it on the map</source>
            <translation>网格 %s；双击在地图上显示</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="528" />
            <source>Select a task in the list first</source>
            <translation>请先在列表中选择一个任务</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="530" />
            <source>An edit is being saved</source>
            <translation>正在保存修改</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="535" />
            <source>Start the task first: findings are recorded while inspecting</source>
            <translation>请先开始检查：问题在检查过程中记录</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/tasks/panel.py" line="537" />
            <source>Not possible while the task is “%s”</source>
            <translation>任务为“%s”时不能进行此操作</translation>
        </message>
    </context>
    <context>
        <name>TimeBar</name>
        <message numerus="yes">
            <location filename="../../gridwatch/ui/map/timebar.py" line="129" />
            <source>All %n day(s)</source>
            <translation>
                <numerusform>全部 %n 天</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/timebar.py" line="131" />
            <source>day %1 of %2</source>
            <translation>第 %1 天 / 共 %2 天</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/timebar.py" line="142" />
            <location filename="../../gridwatch/ui/map/timebar.py" line="152" />
            <source>Pause</source>
            <translation>暂停</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/timebar.py" line="142" />
            <location filename="../../gridwatch/ui/map/timebar.py" line="152" />
            <source>Play</source>
            <translation>播放</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/timebar.py" line="153" />
            <source>Step through the period day by day</source>
            <translation>逐日播放本时段</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/map/timebar.py" line="154" />
            <source>Left end: the whole period; then one day at a time</source>
            <translation>最左端：整个时段；向右逐日查看</translation>
        </message>
    </context>
    <context>
        <name>UserPicker</name>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="122" />
            <source>Who is working on this laptop?</source>
            <translation>谁在使用这台电脑？</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="124" />
            <source>Welcome. Choose yourself in the list: your tasks, what you may do and the change history follow from it. You can change it later in Settings &gt; Current user.</source>
            <translation>欢迎使用。请在列表中选择您本人：您的任务、可做的操作和修改记录都以此为准。以后可在“设置 &gt; 当前用户”中更改。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="128" />
            <source>Choose who is working on this laptop.</source>
            <translation>请选择使用这台电脑的人员。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="129" />
            <source>Find: name, pinyin initials, township or phone digits</source>
            <translation>查找：姓名、拼音首字母、乡镇或电话号码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="130" />
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="130" />
            <source>Role</source>
            <translation>角色</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="130" />
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="131" />
            <source>Phone ends in</source>
            <translation>电话尾号</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="132" />
            <source>PIN:</source>
            <translation>个人密码：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="133" />
            <source>This person protected their choice with a PIN</source>
            <translation>此人设置了个人密码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="134" />
            <source>Set a new PIN:</source>
            <translation>设置新密码：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="135" />
            <source>4 to 8 digits (optional)</source>
            <translation>4 至 8 位数字（可不设）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="136" />
            <source>Remove PIN</source>
            <translation>取消密码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="137" />
            <source>Remove the selected person's PIN on this laptop (asks for it first)</source>
            <translation>取消所选人员在本机的个人密码（需先输入密码）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="138" />
            <source>A PIN is kept on this laptop only, hashed. It guards against choosing the wrong person by a slip; it is not a password and does not protect the data.</source>
            <translation>个人密码只以散列形式保存在本机，用于防止误选他人；它不是登录密码，也不能保护数据。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="140" />
            <source>Work as this person</source>
            <translation>以此人身份工作</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="177" />
            <source>Protected by a PIN on this laptop</source>
            <translation>在本机设置了个人密码</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="234" />
            <source>Type the person's PIN first.</source>
            <translation>请先输入此人的个人密码。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="256" />
            <source>Choose a person first</source>
            <translation>请先选择人员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="258" />
            <location filename="../../gridwatch/ui/data/user_picker.py" line="284" />
            <source>A PIN is 4 to 8 digits</source>
            <translation>个人密码为 4 至 8 位数字</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/data/user_picker.py" line="278" />
            <source>Wrong PIN for %s.</source>
            <translation>%s 的个人密码不正确。</translation>
        </message>
    </context>
    <context>
        <name>Values</name>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="31" />
            <source>Village</source>
            <translation>村</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="32" />
            <source>Community</source>
            <translation>社区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="33" />
            <source>Grid cell</source>
            <translation>网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="34" />
            <source>Special cell</source>
            <translation>专属网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="35" />
            <source>Limestone</source>
            <translation>石灰岩</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="36" />
            <source>Sand and gravel</source>
            <translation>砂石</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="37" />
            <source>Clay</source>
            <translation>粘土</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="38" />
            <source>Granite</source>
            <translation>花岗岩</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="39" />
            <source>Dolomite</source>
            <translation>白云岩</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="40" />
            <source>Other</source>
            <translation>其他</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="41" />
            <source>Operating</source>
            <translation>生产中</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="42" />
            <source>Closed</source>
            <translation>已关闭</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="43" />
            <source>Rehabilitating</source>
            <translation>生态修复中</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="44" />
            <source>Grade A</source>
            <translation>A级</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="45" />
            <source>Grade B</source>
            <translation>B级</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="46" />
            <source>Grade C</source>
            <translation>C级</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="47" />
            <source>MODIS</source>
            <translation>MODIS</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="48" />
            <source>VIIRS</source>
            <translation>VIIRS</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="49" />
            <source>Fengyun</source>
            <translation>风云</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="50" />
            <source>Manual</source>
            <translation>人工上报</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="51" />
            <source>Not yet checked</source>
            <translation>未核查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="54" />
            <source>No burning found</source>
            <translation>未发现焚烧</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="55" />
            <source>Outside the cell</source>
            <translation>不在本网格</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="57" />
            <source>Persistent heat source</source>
            <translation>持续热源</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="58" />
            <source>National monitoring station</source>
            <translation>国控站点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="59" />
            <source>Provincial monitoring station</source>
            <translation>省控站点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="60" />
            <source>City monitoring station</source>
            <translation>市控站点</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="61" />
            <source>School</source>
            <translation>学校</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="62" />
            <source>Hospital</source>
            <translation>医院</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="63" />
            <source>Residential area</source>
            <translation>居民集中区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="65" />
            <source>Grid inspector</source>
            <translation>网格员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="66" />
            <source>Township grid chief</source>
            <translation>网格长</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="67" />
            <source>District supervisor</source>
            <translation>督查员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="68" />
            <source>Administrator</source>
            <translation>管理员</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="52" />
            <source>Straw burning confirmed</source>
            <translation>确认秸秆焚烧</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="53" />
            <source>Other burning confirmed</source>
            <translation>确认其他焚烧</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="64" />
            <source>Built-up area</source>
            <translation>城市建成区</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/core_strings.py" line="56" />
            <source>Industrial heat source (checked)</source>
            <translation>核查为工业热源</translation>
        </message>
    </context>
    <context>
        <name>WarningDialog</name>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="370" />
            <source>Declare heavy-pollution warning</source>
            <translation>发布重污染天气预警</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="371" />
            <source>From orange up the plans stop earthwork on construction sites: every site under way gets a check, due 23:59 on the first day, for its cell's inspector. The dashboard shows the warning while it is in force.</source>
            <translation>橙色及以上预警停止工地土石方作业：每个在建工地生成一项检查任务，由所在网格的网格员于首日 23:59 前完成。预警期间统计面板显示预警。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="376" />
            <source>&amp;Level:</source>
            <translation>预警级别(&amp;L)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="376" />
            <source>&amp;From (Beijing time):</source>
            <translation>开始(北京时间)(&amp;F)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="377" />
            <source>&amp;To (Beijing time):</source>
            <translation>结束(北京时间)(&amp;T)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="377" />
            <source>&amp;Note:</source>
            <translation>说明(&amp;N)：</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="379" />
            <source>The warning's number or text</source>
            <translation>预警文号或内容</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="387" />
            <source>Declare</source>
            <translation>发布</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="410" />
            <source>Latest: %1 from %2 to %3. Sites under way: %4; checked: %5; breaches found: %6; unchecked: %7.</source>
            <translation>最近一次：%1，%2 至 %3。在建工地 %4 个，已检查 %5 个，发现问题 %6 个，未检查 %7 个。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="382" />
            <source>Level</source>
            <translation>级别</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="382" />
            <source>From</source>
            <translation>开始</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="382" />
            <source>To</source>
            <translation>结束</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="382" />
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="383" />
            <source>Sites</source>
            <translation>在建工地</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="383" />
            <source>Checked</source>
            <translation>已检查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="383" />
            <source>Breaches</source>
            <translation>发现问题</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="384" />
            <source>Unchecked</source>
            <translation>未检查</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="385" />
            <source>Export the kept summary…</source>
            <translation>导出已保存的汇总…</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="435" />
            <source>Ended early</source>
            <translation>已提前解除</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="435" />
            <source>Ended</source>
            <translation>已结束</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="436" />
            <source>In force</source>
            <translation>生效中</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="437" />
            <source>Declared</source>
            <translation>已发布（未开始）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="437" />
            <source>Ended, summary not kept yet</source>
            <translation>已结束（汇总待保存）</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="454" />
            <source>Export the warning's summary</source>
            <translation>导出预警汇总</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="455" />
            <source>Excel (*.xlsx);;CSV (*.csv)</source>
            <translation>Excel (*.xlsx);;CSV (*.csv)</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/analysis/plans.py" line="476" />
            <source>Written: %s</source>
            <translation>已写入：%s</translation>
        </message>
    </context>
    <context>
        <name>WorkflowController</name>
        <message>
            <location filename="../../gridwatch/ui/session.py" line="165" />
            <location filename="../../gridwatch/ui/session.py" line="192" />
            <source>Choose who you are first (Settings &gt; Current user).</source>
            <extracomment>The policy's action for each loop step of a finding and each task step. The open project changed as a whole (an import, a sync): panels read it again. An edit of a supervisor's live view went to the server, or was refused there and taken out again: the view now holds the server's state (server row numbers, others' edits): the window reads it again.</extracomment>
            <translation>请先选择当前用户（设置 &gt; 当前用户）。</translation>
        </message>
        <message>
            <location filename="../../gridwatch/ui/session.py" line="232" />
            <source>Cannot undo or redo: %s</source>
            <translation>无法撤销或重做：%s</translation>
        </message>
    </context>
</TS>